import { channelPhase } from '../../channel'
import { createKeyedCoalescer } from '../../coalesce'
import { ConflictError } from '../../errors'
import { formatToken } from '../../token'
import type { Db } from '../db/client'
import { Prisma } from '../db/generated/client'
import { signTokenNative } from '../tokenCrypto'
import type { ChainView } from './chainView'
import type { ChannelRecord } from './channels'
import type { PaymentMetrics } from './metrics'
import type { Service, ServiceRegistry } from './services'

export type IssuedTokens = { channel: string; chainId: number; tokenId: bigint; tokens: string[] }

/**
 * Consumer side: issues the next tokens of a channel. The count is taken with one atomic
 * `INSERT .. ON CONFLICT DO UPDATE SET requests = requests + n RETURNING requests`, so no count
 * is ever handed out twice, across requests and across server instances, and it is durable
 * before the tokens are signed. Concurrent requests for one channel share one statement.
 */
export function createIssuer({
  db,
  chainId,
  chainView,
  services,
  metrics,
}: {
  db: Db
  chainId: number
  chainView: ChainView
  services: ServiceRegistry
  metrics: PaymentMetrics
}) {
  type Job = { channel: ChannelRecord; consumer: Service; count: number }

  const take = createKeyedCoalescer<string, Job, IssuedTokens>({
    maxBatchSize: 200,
    run: async (_address, jobs) => {
      const first = jobs[0] as Job
      const { channel, consumer } = first
      const { state } = await chainView.get(channel.address)
      const phase = channelPhase(state)
      if (phase === 'terminated' || phase === 'terminating' || state.activeTokenId === 0n) {
        throw new ConflictError({
          code: phase === 'terminated' ? 'channel_terminated' : 'channel_terminating',
          message: `Channel ${channel.address} is ${phase === 'terminated' ? 'terminated' : 'being terminated'}; open a new one.`,
        })
      }
      const total = jobs.reduce((n, j) => n + j.count, 0)
      const tokenId = state.activeTokenId
      // Counts are only taken when the channel's funds cover them (with what the expiring token
      // was issued for): a taken count is never given back, and tokens are cumulative, so
      // counts burnt on refusals would cost the consumer money.
      const expiringIssued = Prisma.sql`COALESCE((SELECT requests FROM payment_issued
        WHERE chain_id = ${chainId} AND channel = ${channel.address}
          AND token_id = ${state.expiringTokenId.toString()}::numeric), 0)`
      const cost = channel.costPerRequest.toString()
      const funds = state.consumerFunds.toString()
      const rows = await db.$queryRaw<Array<{ requests: Prisma.Decimal }>>`
        INSERT INTO payment_issued (chain_id, channel, token_id, requests)
        SELECT ${chainId}, ${channel.address}, ${tokenId.toString()}::numeric, ${total}::numeric
        WHERE (${total}::numeric + ${expiringIssued}) * ${cost}::numeric <= ${funds}::numeric
        ON CONFLICT (chain_id, channel, token_id)
        DO UPDATE SET requests = payment_issued.requests + EXCLUDED.requests, updated_at = now()
        WHERE (payment_issued.requests + EXCLUDED.requests + ${expiringIssued}) * ${cost}::numeric <= ${funds}::numeric
        RETURNING requests`
      const row = rows[0]
      if (!row) {
        chainView.invalidate(channel.address) // a deposit may have landed: the next call re-reads
        metrics.issueRefused.inc({ code: 'insufficient_funds' })
        throw new ConflictError({
          code: 'insufficient_funds',
          message: `Channel ${channel.address} holds ${state.consumerFunds} wei, not enough for ${total} more request(s) at ${channel.costPerRequest} wei on top of what was already issued; deposit first.`,
        })
      }
      const highest = BigInt(row.requests.toFixed())
      const privateKey = await services.privateKey(consumer)
      let next = highest - BigInt(total) + 1n
      return jobs.map((job) => {
        const tokens: string[] = []
        for (let i = 0; i < job.count; i++) {
          const token = signTokenNative({
            privateKey,
            chainId,
            channel: channel.address,
            tokenId,
            requests: next++,
          })
          tokens.push(formatToken({ chainId, token }))
        }
        metrics.tokensIssued.inc(job.count)
        return { channel: channel.address, chainId, tokenId, tokens }
      })
    },
  })

  return {
    /** `count` consecutive tokens of the channel's active token ID, signed by its consumer. */
    issue({ channel, consumer, count }: Job): Promise<IssuedTokens> {
      return take.submit(channel.address, { channel, consumer, count })
    },
  }
}

export type Issuer = ReturnType<typeof createIssuer>
