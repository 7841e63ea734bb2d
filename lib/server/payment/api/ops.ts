import { z } from 'zod'
import { env } from '../../env'
import { json } from '../../http/openapi'
import { Answer } from '../../http/route'
import { definePaymentRoute } from './route'

/** What operators and their monitoring read: health (no key) and Prometheus metrics (admin). */
export const opsRoutes = [
  definePaymentRoute({
    name: 'health',
    method: 'GET',
    path: '/api/payment/health',
    auth: 'none',
    doc: {
      summary: 'Health of this instance',
      responses: {
        '200': json(
          z.object({
            status: z.literal('ok'),
            chainId: z.number(),
            database: z.string(),
            chainHead: z.string().nullable(),
            runner: z.enum(['leader', 'standby', 'off']),
          }),
          'Database and chain answer; `runner` says whether this instance runs the background work (`off`: PAYMENT_RUNNER=off)',
        ),
        '503': json(z.object({ status: z.literal('degraded') }).loose(), 'Database or chain unavailable'),
      },
    },
    /** No secrets: database, chain and runner of this process; 503 when one does not answer. */
    async handler({ server }) {
      const [database, head] = await Promise.all([
        server.db.$queryRaw`SELECT 1`.then(() => true).catch(() => false),
        server.client
          .getBlockNumber()
          .then(String)
          .catch(() => null),
      ])
      const ok = database && head !== null
      return new Answer(ok ? 200 : 503, {
        status: ok ? 'ok' : 'degraded',
        chainId: server.chainId,
        database: database ? 'ok' : 'unavailable',
        chainHead: head,
        runner: env().PAYMENT_RUNNER === 'off' ? 'off' : server.runner.isLeader() ? 'leader' : 'standby',
      })
    },
  }),
  definePaymentRoute({
    name: 'metrics',
    method: 'GET',
    path: '/api/payment/metrics',
    auth: 'admin',
    doc: {
      summary: 'Prometheus metrics (admin)',
      responses: {
        '200': {
          description: 'Prometheus text exposition format',
          content: { 'text/plain': { schema: z.string() } },
        },
      },
    },
    async handler({ server }) {
      const { registry } = server.metrics
      return new Response(await registry.metrics(), {
        headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' },
      })
    },
  }),
] as const
