import { z } from 'zod'
import { env } from '../../env'
import { json } from '../../http/openapi'
import { Answer } from '../../http/route'
import type { StaleChannel } from '../channelStateCache'
import { example, one } from '../examples'
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

/** The chain of the health examples: never reset. */
const chainExample = {
  epoch: 1,
  reference: { block: '0', hash: '0xb4ad1f0a8d3c7e52e90ad2f0e8a1c3d6f7b8e9a0c1d2e3f4a5b6c7d8e9f0a1b2' },
  resetAt: null,
  retiredChannels: 0,
}

const metricsExample = [
  '# HELP payment_tokens_verified_total Tokens verified, by result (accepted or refused) and, for a refusal, its code',
  '# TYPE payment_tokens_verified_total counter',
  'payment_tokens_verified_total{result="accepted"} 18342',
  'payment_tokens_verified_total{result="refused",code="count_already_accepted"} 3',
  '# HELP payment_request_duration_seconds Payment API request duration, by route and status',
  '# TYPE payment_request_duration_seconds histogram',
  'payment_request_duration_seconds_count{route="tokens.verify",status="200"} 18342',
  '',
].join('\n')

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
          one('Healthy, running the background work', {
            status: 'ok',
            chainId: example.chainId,
            database: 'ok',
            chainHead: '1842',
            runner: 'leader',
            chain: chainExample,
            staleState: null,
          }),
        ),
        '503': json(
          z.object({ status: z.literal('degraded'), ...chainHealth }).loose(),
          'Database or chain unavailable (`staleState` says which channels are still served from their last known state)',
          one('The chain node does not answer', {
            status: 'degraded',
            chainId: example.chainId,
            database: 'ok',
            chainHead: null,
            runner: 'leader',
            chain: chainExample,
            staleState: {
              since: '2026-12-07T10:15:30.120Z',
              channels: [
                {
                  channel: example.channel,
                  since: '2026-12-07T10:15:30.120Z',
                  stateReadAt: '2026-12-07T10:15:29.870Z',
                  blockNumber: '1842',
                },
              ],
            },
          }),
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
          content: {
            'text/plain': {
              schema: z.string(),
              examples: one('Two of the metrics', metricsExample),
            },
          },
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
