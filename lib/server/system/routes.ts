import { healthSchema, indexerStatusSchema } from '../../system/api'
import { error, json } from '../http/openapi'
import { Answer, route } from '../http/route'
import { checkHealth } from './health'
import { readIndexerStatus } from './indexerStatus'

const tags = ['system']

/** What operators and the dashboard's header poll: the web process's health and the indexer's progress. */
export const systemRoutes = [
  route({
    method: 'get',
    path: '/api/health',
    operation: {
      operationId: 'getHealth',
      tags,
      summary: 'Health of the dashboard',
      description:
        'Database and chain reachability, each bounded by a timeout, with the chain id, head block and the factory this database knows for that chain.',
      responses: {
        '200': json(healthSchema, 'Database and chain answer'),
        '503': json(healthSchema, 'The database or the chain node does not answer (`status: degraded`)'),
      },
    },
    handler: async ({ ctx }) => {
      const health = await checkHealth(ctx)
      return new Answer(health.status === 'ok' ? 200 : 503, health)
    },
  }),
  route({
    method: 'get',
    path: '/api/status',
    operation: {
      operationId: 'getIndexerStatus',
      tags,
      summary: "The indexer's progress",
      description:
        'Chain id, chain head, indexed head, lag in blocks and seconds, phase (backfill, live, stopped, not started), events indexed, last error. Answers while the database does (the node may not: then `chainError` says why).',
      responses: {
        '200': json(indexerStatusSchema, 'OK'),
        '503': error('The database does not answer (`database_unavailable`)'),
      },
    },
    handler: async ({ ctx }) => {
      try {
        return await readIndexerStatus(ctx)
      } catch {
        const error = {
          code: 'database_unavailable',
          message: 'The database does not answer; the status is unknown.',
        }
        return new Answer(503, { error })
      }
    },
  }),
]
