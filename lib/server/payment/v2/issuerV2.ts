import { createKeyedCoalescer } from '../../../../packages/payment-client/src/coalesce'
import { formatTokenV2 } from '../../../../packages/payment-client/src/tokenV2'
import type { ChannelState } from '../../../channel'
import { ConflictError, DependencyError } from '../../../errors'
import type { ChannelStateCache } from '../channelStateCache'
import type { ChannelRecord } from '../channels'
import type { HotSql } from '../hotSql'
import type { PaymentMetrics } from '../metrics'
import type { Service, ServiceRegistry } from '../services'
import { issuableTokenId } from '../tokenWindow'
import { resolveCategory } from './categories'
import type { PriceTables } from './priceTables'
import { signTokenV2Native } from './tokenCryptoV2'

/** Tokens of a v2 channel, with the price table of their token ID that the consumer signed. */
export type IssuedTokensV2 = IssuedTokensV2Head & { tokens: string[] }
type IssuedTokensV2Head = {
  channel: string
  chainId: number
  tokenId: bigint
  categories: string[]
  /** The token ID's prices (wei per request of each category): what the tokens commit to. */
  prices: readonly bigint[]
}

/** `sum(a * b)` over two numeric arrays in SQL, element by element. */
const dot = (a: string, b: string) => `(SELECT COALESCE(sum(x * y), 0) FROM unnest(${a}, ${b}) AS d(x, y))`

/**
 * Raises token ID $3's frontier by $4 (counts per category) if the channel's funds ($7 wei)
 * cover the new frontier's value at the ID's prices ($6) together with the expiring ID's ($5)
 * issued value at its prices ($8); returns the new frontier, or no row when they do not.
 */
const RAISE = {
  name: 'issuerV2.raise',
  text: `
    WITH expiring AS (
      SELECT COALESCE((SELECT ${dot('requests', '$8::numeric[]')} FROM payment_issued_v2
        WHERE chain_id = $1 AND channel = $2 AND token_id = $5::numeric), 0) AS value
    )
    INSERT INTO payment_issued_v2 (chain_id, channel, token_id, requests)
    SELECT $1, $2, $3::numeric, $4::numeric[]
    FROM expiring
    WHERE ${dot('$4::numeric[]', '$6::numeric[]')} + expiring.value <= $7::numeric
    ON CONFLICT (chain_id, channel, token_id) DO UPDATE SET
      requests = (SELECT array_agg(x + y ORDER BY i)
        FROM unnest(payment_issued_v2.requests, EXCLUDED.requests) WITH ORDINALITY AS s(x, y, i)),
      updated_at = now()
    WHERE (SELECT COALESCE(sum((x + y) * p), 0)
        FROM unnest(payment_issued_v2.requests, EXCLUDED.requests, $6::numeric[]) AS s(x, y, p))
      + (SELECT value FROM expiring) <= $7::numeric
    RETURNING requests::text[] AS requests`,
}

/**
 * Consumer side of version 2 channels: issues tokens per category. A token ID's frontier in
 * `payment_issued_v2` holds the cumulative counts per category; a batch raises it in one
 * atomic statement (across requests and server instances), and its tokens are the frontier
 * before the batch raised one count at a time, in order. So the tokens of one token ID form
 * a chain under the componentwise order, each one above every token issued before it, and the
 * provider can redeem its maximum for all of them (design of issue 29, point 2).
 *
 * Unlike v1's issuer, no counts are taken ahead: with categories, counts held ahead by one
 * instance would need a base vector per allocation (the frontier when it was taken) to stay
 * below later allocations; one statement per batch is exact and needs none.
 */
export function createIssuerV2({
  sql,
  chainId,
  channelStates,
  services,
  metrics,
  priceTables,
}: {
  sql: HotSql
  chainId: number
  channelStates: ChannelStateCache
  services: ServiceRegistry
  metrics: PaymentMetrics
  priceTables: PriceTables
}) {
  type Job = { channel: ChannelRecord; consumer: Service; count: number; category: number }
  type Issued = IssuedTokensV2 | { refused: unknown }

  async function pricesOf(address: string, tokenId: bigint, state: ChannelState): Promise<readonly bigint[]> {
    const prices = await priceTables.tableOf(address, tokenId, state.lastTokenId)
    if (!prices) {
      throw new DependencyError({
        code: 'prices_unknown',
        message: `The price table of token ID ${tokenId} of channel ${address} is not on the chain yet.`,
      })
    }
    return prices
  }

  /** Raises the frontier by `raise`; the new frontier, or null when the funds do not cover it. */
  async function raiseFrontier(
    channel: ChannelRecord,
    state: ChannelState,
    tokenId: bigint,
    prices: readonly bigint[],
    raise: bigint[],
  ): Promise<bigint[] | null> {
    const expiring = state.expiringTokenId
    const expiringPrices = expiring === 0n ? prices : await pricesOf(channel.address, expiring, state)
    const rows = await sql.query<{ requests: string[] }>(RAISE, [
      chainId,
      channel.address,
      tokenId.toString(),
      raise.map(String),
      expiring.toString(),
      prices.map(String),
      state.consumerFunds.toString(),
      expiringPrices.map(String),
    ])
    return rows[0] ? rows[0].requests.map(BigInt) : null
  }

  async function issueBatch(address: string, jobs: readonly Job[]): Promise<Issued[]> {
    const { channel, consumer } = jobs[0] as Job
    const { state } = await channelStates.get(address)
    const tokenId = issuableTokenId({ address: channel.address, state })
    const prices = await pricesOf(address, tokenId, state)
    const raise = prices.map(() => 0n)
    for (const job of jobs) raise[job.category] = (raise[job.category] as bigint) + BigInt(job.count)
    const frontier = await raiseFrontier(channel, state, tokenId, prices, raise)
    if (!frontier) {
      channelStates.invalidate(channel.address) // a deposit may have landed: the next call re-reads
      if (jobs.length === 1) throw refuseForFunds(channel, state, jobs[0] as Job, prices)
      // Decided one by one, in order, as if each had come alone.
      const results: Issued[] = []
      for (const job of jobs)
        results.push(...(await issueBatch(address, [job]).catch((refused) => [{ refused }])))
      return results
    }
    metrics.issueTakes.inc()
    const privateKey = await services.privateKey(consumer)
    const current = frontier.map((count, i) => count - (raise[i] as bigint))
    const head = { channel: address, chainId, tokenId, categories: channel.categories, prices }
    return jobs.map((job) => {
      const tokens: string[] = []
      for (let i = 0; i < job.count; i++) {
        current[job.category] = (current[job.category] as bigint) + 1n
        const token = signTokenV2Native({
          privateKey,
          chainId,
          channel: channel.address,
          tokenId,
          prices,
          requests: [...current],
        })
        tokens.push(formatTokenV2({ chainId, token }))
      }
      metrics.tokensIssued.inc(job.count)
      return { ...head, tokens }
    })
  }

  function refuseForFunds(channel: ChannelRecord, state: ChannelState, job: Job, prices: readonly bigint[]) {
    metrics.issueRefused.inc({ code: 'insufficient_funds' })
    const name = channel.categories[job.category]
    return new ConflictError({
      code: 'insufficient_funds',
      message: `Channel ${channel.address} holds ${state.consumerFunds} wei, not enough for ${job.count} more request(s) of category ${name} at ${prices[job.category]} wei on top of what was already issued; deposit first.`,
    })
  }

  const take = createKeyedCoalescer<string, Job, Issued>({
    maxBatchSize: 200,
    run: (address, jobs) => issueBatch(address, jobs),
  })

  return {
    /**
     * `count` tokens of the channel's active token ID, each one count of `category` (an index
     * or a name; default the first) above the last, signed by the consumer.
     */
    async issue({
      channel,
      consumer,
      count,
      category,
    }: {
      channel: ChannelRecord
      consumer: Service
      count: number
      category?: number | string
    }): Promise<IssuedTokensV2> {
      const index = resolveCategory(channel, category)
      channelStates.markV2(channel.address) // a record from another instance's registry
      const result = await take.submit(channel.address, { channel, consumer, count, category: index })
      if ('refused' in result) throw result.refused
      return result
    },
  }
}

export type IssuerV2 = ReturnType<typeof createIssuerV2>
