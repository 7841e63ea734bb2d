import { z } from 'zod'
import { env } from '../../env'
import { json } from '../../http/openapi'
import { Answer } from '../../http/route'
import type { StaleChannel } from '../channelStateCache'
import { definePaymentRoute } from './route'

/** The chain's identity and resets (../chainEpoch), and the channels served from their last known state. */
const chainHealth = {
  chain: z
    .object({
      epoch: z.number(),
      reference: z.object({ block: z.string(), hash: z.string() }).nullable(),
      resetAt: z.string().nullable(),
      retiredChannels: z.number(),
    })
    .nullable(),
  staleState: z
    .object({
      since: z.string(),
      channels: z.array(
        z.object({
          channel: z.string(),
          since: z.string(),
          stateReadAt: z.string(),
          blockNumber: z.string(),
        }),
      ),
    })
    .nullable(),
}

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
            ...chainHealth,
          }),
          'Database and chain answer; `runner` says whether this instance runs the background work (`off`: PAYMENT_RUNNER=off); `chain`: the epoch of the chain its channels belong to (one more at each reset of the chain), and how many channels of reset chains were retired; `staleState`: the channels served from their last known state while the node does not answer, and since when',
        ),
        '503': json(
          z.object({ status: z.literal('degraded'), ...chainHealth }).loose(),
          'Database or chain unavailable (`staleState` says which channels are still served from their last known state)',
        ),
      },
    },
    /** No secrets: database, chain and runner of this process; 503 when one does not answer. */
    async handler({ server }) {
      const [database, head, chain] = await Promise.all([
        server.db.$queryRaw`SELECT 1`.then(() => true).catch(() => false),
        server.client
          .getBlockNumber({ cacheTime: 0 }) // the node now, not viem's last answer
          .then(String)
          .catch(() => null),
        server.chainEpoch.status().catch(() => null),
      ])
      const stale = server.channelStates.stale()
      const ok = database && head !== null
      return new Answer(ok ? 200 : 503, {
        status: ok ? 'ok' : 'degraded',
        chainId: server.chainId,
        database: database ? 'ok' : 'unavailable',
        chainHead: head,
        runner: env().PAYMENT_RUNNER === 'off' ? 'off' : server.runner.isLeader() ? 'leader' : 'standby',
        chain,
        staleState:
          stale.length === 0
            ? null
            : {
                since: (stale[0] as StaleChannel).since.toISOString(),
                channels: stale.map((c) => ({
                  channel: c.channel,
                  since: c.since.toISOString(),
                  stateReadAt: c.stateReadAt.toISOString(),
                  blockNumber: c.blockNumber.toString(),
                })),
              },
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
