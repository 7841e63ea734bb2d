import type { Hex } from 'viem'
import { countsFromJson, countsToJson, type StoredCounts } from '../../../counter'
import type { HotSql } from '../hotSql'
import type { TokenAcceptanceV2 } from './decideAcceptanceV2'

/** Locks the channel's row and bumps its version (every change of what a channel accepts does). */
const LOCK = {
  name: 'acceptanceV2.lock',
  text: `UPDATE payment_channel SET version = version + 1 WHERE chain_id = $1 AND address = $2 RETURNING version`,
}

/** The channel's token IDs not redeemed yet (the newest 4: active, expiring and late ones). */
const LOAD = {
  name: 'acceptanceV2.load',
  text: `
    SELECT token_id::text AS token_id, requests::text[] AS requests, prices::text[] AS prices, signature,
      steps, accepted::text AS accepted, closed_at IS NOT NULL AS closed
    FROM payment_accepted_v2
    WHERE chain_id = $1 AND channel = $2 AND redeemed_at IS NULL
    ORDER BY token_id DESC LIMIT 4`,
}

/** Upserts the changed token IDs ($3: JSON records). */
const WRITE = {
  name: 'acceptanceV2.write',
  text: `
    INSERT INTO payment_accepted_v2 (chain_id, channel, token_id, requests, prices, signature, steps, accepted)
    SELECT $1, $2, r.token_id, ARRAY(SELECT jsonb_array_elements_text(r.requests)::numeric),
      ARRAY(SELECT jsonb_array_elements_text(r.prices)::numeric), r.signature, r.steps, r.accepted
    FROM json_to_recordset($3::json)
      AS r(token_id numeric, requests jsonb, prices jsonb, signature text, steps jsonb, accepted numeric)
    ON CONFLICT (chain_id, channel, token_id) DO UPDATE SET
      requests = EXCLUDED.requests, signature = EXCLUDED.signature, steps = EXCLUDED.steps,
      accepted = EXCLUDED.accepted, last_accepted_at = now()`,
}

/** Stops acceptance for token ID $3; its maximum token. */
const CLOSE = {
  name: 'acceptanceV2.close',
  text: `
    UPDATE payment_accepted_v2 SET closed_at = COALESCE(closed_at, now())
    WHERE chain_id = $1 AND channel = $2 AND token_id = $3::numeric
    RETURNING requests::text[] AS requests, prices::text[] AS prices, signature`,
}

const REDEEMED = {
  name: 'acceptanceV2.redeemed',
  text: `
    UPDATE payment_accepted_v2 SET redeemed_at = now(), redeemed_tx = $4, redeemed_amount = $5::numeric
    WHERE chain_id = $1 AND channel = $2 AND token_id = $3::numeric`,
}

const UNREDEEMED = {
  name: 'acceptanceV2.unredeemed',
  text: `
    UPDATE payment_accepted_v2 SET redeemed_at = NULL, redeemed_tx = NULL, redeemed_amount = NULL
    WHERE chain_id = $1 AND channel = $2 AND token_id = $3::numeric AND redeemed_tx = $4
    RETURNING 1 AS undone`,
}

/** What token ID $3's maximum is worth at its prices, and when its first token was accepted. */
const OF_TOKEN = {
  name: 'acceptanceV2.ofToken',
  text: `
    SELECT (SELECT COALESCE(sum(x * y), 0) FROM unnest(requests, prices) AS d(x, y))::text AS value,
      first_accepted_at
    FROM payment_accepted_v2 WHERE chain_id = $1 AND channel = $2 AND token_id = $3::numeric`,
}

type Row = {
  token_id: string
  requests: string[]
  prices: string[]
  signature: string
  steps: StoredCounts[]
  accepted: string
  closed: boolean
}

/** The maximum accepted token of a closed token ID: what the runner redeems. */
export type BestTokenV2 = { requests: bigint[]; prices: bigint[]; signature: Hex }

/**
 * The one owner of what a provider accepted on v2 channels (`payment_accepted_v2`). A batch is
 * decided and written under the channel row's lock (which also bumps its `version`, as v1's
 * acceptance store does), so concurrent calls and instances decide one after another on the
 * state the last one committed; committed before any answer goes out.
 */
export function createAcceptanceStoreV2({ sql, chainId }: { sql: HotSql; chainId: number }) {
  return {
    /** Decides on the channel's current acceptance state and writes what `decide` changed, atomically. */
    apply<D extends { changed: Map<bigint, TokenAcceptanceV2> }>(
      address: string,
      decide: (tokens: Map<bigint, TokenAcceptanceV2>) => D,
    ): Promise<D> {
      return sql.transaction(async (query) => {
        await query(LOCK, [chainId, address])
        const rows = await query<Row>(LOAD, [chainId, address])
        const tokens = new Map<bigint, TokenAcceptanceV2>()
        for (const row of rows)
          tokens.set(BigInt(row.token_id), {
            steps: row.steps.map(countsFromJson),
            max: row.requests.map(BigInt),
            prices: row.prices.map(BigInt),
            signature: row.signature as Hex,
            accepted: BigInt(row.accepted),
            closed: row.closed,
          })
        const decided = decide(tokens)
        if (decided.changed.size > 0) {
          const records = [...decided.changed].map(([tokenId, t]) => ({
            token_id: tokenId.toString(),
            requests: t.max.map(String),
            prices: t.prices.map(String),
            signature: t.signature,
            steps: t.steps.map(countsToJson),
            accepted: t.accepted.toString(),
          }))
          await query(WRITE, [chainId, address, JSON.stringify(records)])
        }
        return decided
      })
    },

    /** Stops acceptance for a token ID (no verifier accepts it once this commits); its maximum token, if any. */
    async close(address: string, tokenId: bigint): Promise<BestTokenV2 | null> {
      const rows = await sql.transaction(async (query) => {
        await query(LOCK, [chainId, address])
        return query<{ requests: string[]; prices: string[]; signature: string }>(CLOSE, [
          chainId,
          address,
          tokenId.toString(),
        ])
      })
      const row = rows[0]
      return row
        ? {
            requests: row.requests.map(BigInt),
            prices: row.prices.map(BigInt),
            signature: row.signature as Hex,
          }
        : null
    },

    /** Records a token ID's redemption (its transaction and the amount the channel paid). */
    async redeemed(
      address: string,
      tokenId: bigint,
      { tx, amount }: { tx: Hex; amount: bigint },
    ): Promise<void> {
      await sql.query(REDEEMED, [chainId, address, tokenId.toString(), tx, amount.toString()])
    },

    /** What a token ID's maximum accepted token is worth (wei), and when its first token was accepted; null for none. */
    async accepted(
      address: string,
      tokenId: bigint,
    ): Promise<{ value: bigint; firstAcceptedAt: Date } | null> {
      if (tokenId === 0n) return null
      const rows = await sql.query<{ value: string; first_accepted_at: Date }>(OF_TOKEN, [
        chainId,
        address,
        tokenId.toString(),
      ])
      const row = rows[0]
      return row ? { value: BigInt(row.value), firstAcceptedAt: row.first_accepted_at } : null
    },

    /** Forgets a redemption recorded with `tx` (a reorg took it out); true if it was. */
    async unredeemed(address: string, tokenId: bigint, tx: Hex): Promise<boolean> {
      const rows = await sql.query(UNREDEEMED, [chainId, address, tokenId.toString(), tx.toLowerCase()])
      return rows.length > 0
    },
  }
}

export type AcceptanceStoreV2 = ReturnType<typeof createAcceptanceStoreV2>
