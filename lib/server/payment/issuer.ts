import { channelPhase } from '../../channel'
import { createKeyedCoalescer } from '../../coalesce'
import { ConflictError } from '../../errors'
import { formatToken } from '../../token'
import { signTokenNative } from '../tokenCrypto'
import type { ChainView } from './chainView'
import type { ChannelRecord } from './channels'
import type { HotSql } from './hotSql'
import type { PaymentMetrics } from './metrics'
import type { Service, ServiceRegistry } from './services'

export type IssuedTokens = { channel: string; chainId: number; tokenId: bigint; tokens: string[] }

/**
 * Takes $4 more counts of token ID $3 if the channel's funds ($7 wei at $6 wei per request)
 * cover them together with what was issued of the expiring token ID ($5); returns the new
 * highest count, or no row when they do not.
 */
const TAKE = {
  name: 'issuer.take',
  text: `
    WITH expiring AS (
      SELECT COALESCE((SELECT requests FROM payment_issued
        WHERE chain_id = $1 AND channel = $2 AND token_id = $5::numeric), 0) AS requests
    )
    INSERT INTO payment_issued (chain_id, channel, token_id, requests)
    SELECT $1, $2, $3::numeric, $4::numeric
    FROM expiring
    WHERE ($4::numeric + expiring.requests) * $6::numeric <= $7::numeric
    ON CONFLICT (chain_id, channel, token_id)
    DO UPDATE SET requests = payment_issued.requests + EXCLUDED.requests, updated_at = now()
    WHERE (payment_issued.requests + EXCLUDED.requests
      + (SELECT requests FROM expiring)) * $6::numeric <= $7::numeric
    RETURNING requests::text AS requests`,
}

/**
 * Consumer side: issues the next tokens of a channel. The count is taken with one atomic
 * `INSERT .. ON CONFLICT DO UPDATE SET requests = requests + n RETURNING requests`, so no count
 * is ever handed out twice, across requests and across server instances, and it is durable
 * before the tokens are signed. Concurrent requests for one channel share one statement.
 */
export function createIssuer({
  sql,
  chainId,
  chainView,
  services,
  metrics,
}: {
  sql: HotSql
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
      const rows = await sql.query<{ requests: string }>(TAKE, [
        chainId,
        channel.address,
        tokenId.toString(),
        total,
        state.expiringTokenId.toString(),
        channel.costPerRequest.toString(),
        state.consumerFunds.toString(),
      ])
      const row = rows[0]
      if (!row) {
        chainView.invalidate(channel.address) // a deposit may have landed: the next call re-reads
        metrics.issueRefused.inc({ code: 'insufficient_funds' })
        throw new ConflictError({
          code: 'insufficient_funds',
          message: `Channel ${channel.address} holds ${state.consumerFunds} wei, not enough for ${total} more request(s) at ${channel.costPerRequest} wei on top of what was already issued; deposit first.`,
        })
      }
      const highest = BigInt(row.requests)
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
