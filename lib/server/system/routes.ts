import { healthSchema, indexerStatusSchema, readinessSchema } from '../../system/api'
import { env } from '../env'
import { error, json } from '../http/openapi'
import { Answer, route } from '../http/route'
import { checkHealth } from './health'
import { readIndexerStatus } from './indexerStatus'
import { checkReadiness } from './readiness'

const tags = ['system']

/** What operators and the dashboard's header poll: the web process's health, the start's readiness and the indexer's progress. */
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
    path: '/api/readyz',
    operation: {
      operationId: 'getReadiness',
      tags,
      summary: 'Whether everything the product starts is ready',
      description:
        'Ready when the database and the chain node answer, the indexer follows the head live and, under `npm start`, the stack has started everything (the example network serves). Otherwise `waiting` says in words what is still starting, e.g. "indexer: backfilling, block 120 of 400".',
      responses: {
        '200': json(readinessSchema, 'Everything is ready (`ready: true`)'),
        '503': json(readinessSchema, 'Something is still starting or down (`waiting` says what)'),
      },
    },
    handler: async ({ ctx }) => {
      const readiness = await checkReadiness({ ...ctx, stackStatusFile: env().STACK_STATUS_FILE })
      return new Answer(readiness.ready ? 200 : 503, readiness)
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
