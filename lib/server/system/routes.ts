import { healthSchema, indexerStatusSchema, livenessSchema, readinessSchema } from '../../system/api'
import { env } from '../env'
import { error, json } from '../http/openapi'
import { Answer, route } from '../http/route'
import { checkHealth } from './health'
import { readIndexerStatus } from './indexerStatus'
import { checkReadiness } from './readiness'

const tags = ['system']

/** What operators, probes and the dashboard's header poll: the web process's health, liveness and readiness, and the indexer's progress. */
export const systemRoutes = [
  route({
    method: 'get',
    path: '/api/health',
    operation: {
      operationId: 'getHealth',
      tags,
      summary: 'Health of the dashboard',
      description:
        'Database and chain reachability, each bounded by a timeout, with the chain id, head block and the factory this database knows for that chain; under `npm start` also its processes (`stack.children`: state, restarts, last exit, up since).',
      responses: {
        '200': json(healthSchema, 'Database and chain answer'),
        '503': json(healthSchema, 'The database or the chain node does not answer (`status: degraded`)'),
      },
    },
    handler: async ({ ctx }) => {
      const health = await checkHealth(ctx, undefined, env().STACK_STATUS_FILE)
      return new Answer(health.status === 'ok' ? 200 : 503, health)
    },
  }),
  route({
    method: 'get',
    path: '/api/livez',
    operation: {
      operationId: 'getLiveness',
      tags,
      summary: 'Whether the process answers',
      description:
        'Liveness probe: 200 `{ live: true }` whenever this process answers, without asking the database or the chain node (a dependency that is down must not get a healthy process restarted). Readiness is `/api/readyz`.',
      responses: { '200': json(livenessSchema, 'The process answers') },
    },
    handler: async () => ({ live: true }),
  }),
  route({
    method: 'get',
    path: '/api/readyz',
    operation: {
      operationId: 'getReadiness',
      tags,
      summary: 'Whether this process can do its work',
      description:
        'Readiness probe: ready when the database answers and holds every migration of this build (else 503, e.g. "database is 2 migrations behind; run npm run migrate"), and PAYMENT_KEYSTORE_SECRET opens the service keys stored there. The chain node or the indexer being down leaves it ready but `degraded`, with the reason. Under `npm start` the indexer and the stack\'s parts (the example network) count too, so the answer is the start\'s progress.',
      responses: {
        '200': json(
          readinessSchema,
          'Ready (`degraded: true` when the node or the indexer is down; `reasons` says which)',
        ),
        '503': json(readinessSchema, 'Not ready (`reasons` says why)'),
      },
    },
    handler: async ({ ctx }) => {
      const { STACK_STATUS_FILE, PAYMENT_KEYSTORE_SECRET } = env()
      const readiness = await checkReadiness({
        ...ctx,
        stackStatusFile: STACK_STATUS_FILE,
        keystoreSecret: PAYMENT_KEYSTORE_SECRET,
      })
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
