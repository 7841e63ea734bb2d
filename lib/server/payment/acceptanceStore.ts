import type { Hex } from 'viem'
import { type AcceptedCounts, countsFromJson, countsToJson, type StoredCounts } from '../../counter'
import type { HotSql, Query } from './hotSql'
import type { PaymentMetrics } from './metrics'

/** What the provider accepted for one token ID. */
export type TokenAcceptance = { counts: AcceptedCounts; signature: Hex; accepted: bigint; closed: boolean }

/** A channel's acceptance state as last read or written, with the channel's version it had then. */
export type ChannelAcceptance = { version: bigint; tokens: Map<bigint, TokenAcceptance> }

/** A decision taken on a {@link ChannelAcceptance}: the tokens it changed, and every token after it. */
export type AcceptanceChange = {
  changed: Map<bigint, TokenAcceptance>
  tokens: Map<bigint, TokenAcceptance>
}

/**
 * The channel's version bump, as the CTE `bump` of the statements that change what a channel
 * accepts (the only statement text that changes `payment_channel.version`). A verifier's write
 * names the version it decided on (`condition`), so any other change in between, by another
 * instance or by the runner, makes that write do nothing.
 */
const bump = (condition = '') => `
    bump AS (
      UPDATE payment_channel SET version = version + 1
      WHERE chain_id = $1 AND address = $2${condition}
      RETURNING version
    )`

/** A channel's version and its token IDs not redeemed yet (the newest 4: active, expiring and late ones). */
const LOAD = {
  name: 'verifier.load',
  text: `
    SELECT c.version::text AS version, a.token_id::text AS token_id, a.counts, a.signature,
      a.accepted::text AS accepted, a.closed_at IS NOT NULL AS closed
    FROM payment_channel c
    LEFT JOIN LATERAL (
      SELECT * FROM payment_accepted
      WHERE chain_id = c.chain_id AND channel = c.address AND redeemed_at IS NULL
      ORDER BY token_id DESC LIMIT 4
    ) a ON true
    WHERE c.chain_id = $1 AND c.address = $2`,
}

/** Locks the channel's row until the transaction ends. */
const LOCK = {
  name: 'verifier.lock',
  text: 'SELECT version FROM payment_channel WHERE chain_id = $1 AND address = $2 FOR UPDATE',
}

/**
 * Bumps the channel's version if it is still $3, and upserts the changed tokens ($4, JSON of
 * {@link acceptedRecords}) only then; the new version, or no row. The Payment Server's one
 * acceptance write: one statement, committed before any answer goes out.
 */
const WRITE_ACCEPTED = {
  name: 'verifier.write',
  text: `
    WITH ${bump(' AND version = $3::bigint')}
    INSERT INTO payment_accepted (chain_id, channel, token_id, highest, signature, counts, accepted)
    SELECT $1, $2, r.token_id, r.highest, r.signature, r.counts, r.accepted
    FROM bump, json_to_recordset($4::json)
      AS r(token_id numeric, highest numeric, signature text, counts jsonb, accepted numeric)
    ON CONFLICT (chain_id, channel, token_id) DO UPDATE SET
      highest = EXCLUDED.highest, signature = EXCLUDED.signature, counts = EXCLUDED.counts,
      accepted = EXCLUDED.accepted, last_accepted_at = now()
    RETURNING (SELECT version FROM bump)::text AS version`,
}

/** Stops acceptance for token ID $3 (bumping the version); its highest count and signature. */
const CLOSE = {
  name: 'acceptance.close',
  text: `
    WITH ${bump()}
    UPDATE payment_accepted SET closed_at = COALESCE(closed_at, now())
    WHERE chain_id = $1 AND channel = $2 AND token_id = $3::numeric
    RETURNING highest::text AS highest, signature`,
}

/** Records token ID $3 as redeemed by transaction $4 for $5 wei (bumping the version). */
const REDEEMED = {
  name: 'acceptance.redeemed',
  text: `
    WITH ${bump()}
    UPDATE payment_accepted SET redeemed_at = now(), redeemed_tx = $4, redeemed_amount = $5::numeric
    WHERE chain_id = $1 AND channel = $2 AND token_id = $3::numeric`,
}

/**
 * Forgets token ID $3's redemption if transaction $4 recorded it (a reorg took that
 * transaction out of the chain), bumping the version; the row, or none.
 */
const UNREDEEMED = {
  name: 'acceptance.unredeemed',
  text: `
    WITH ${bump()}
    UPDATE payment_accepted SET redeemed_at = NULL, redeemed_tx = NULL, redeemed_amount = NULL
    WHERE chain_id = $1 AND channel = $2 AND token_id = $3::numeric AND redeemed_tx = $4
    RETURNING token_id::text AS token_id`,
}

/** The highest count accepted of token ID $3, and when its first token was accepted. */
const OF_TOKEN = {
  name: 'acceptance.ofToken',
  text: `
    SELECT highest::text AS highest, first_accepted_at FROM payment_accepted
    WHERE chain_id = $1 AND channel = $2 AND token_id = $3::numeric`,
}

/** The changed tokens as the JSON records of {@link WRITE_ACCEPTED}'s `$4`. */
function acceptedRecords(changed: Map<bigint, TokenAcceptance>) {
  return [...changed].map(([tokenId, t]) => ({
    token_id: tokenId.toString(),
    highest: t.counts.highest.toString(),
    signature: t.signature,
    counts: countsToJson(t.counts),
    accepted: t.accepted.toString(),
  }))
}

/**
 * The one owner of what a provider accepted (`payment_accepted`) and of the channel's
 * `version`, which every change of it bumps. The verifier decides on a copy of a channel's
 * state cached here and writes through {@link AcceptanceStore.apply}; the runner closes and
 * redeems token IDs through it, which drops that copy, so neither keeps the other informed.
 */
export type AcceptanceStore = {
  /**
   * Decides on the channel's acceptance state and writes what `decide` changed, atomically:
   * on the cached state first, with one statement that writes only if the channel is still at
   * that version; if another instance changed it meanwhile, again under the channel's row lock
   * on the state read there. `committed`: the decision's state is in the database and cached
   * (false when it changed nothing on the cached state, and nothing was written).
   */
  apply<D extends AcceptanceChange>(
    address: string,
    decide: (state: ChannelAcceptance) => D,
  ): Promise<{ decided: D; committed: boolean }>
  /** Stops acceptance for a token ID (no verifier accepts it once this commits); its best token, if any. */
  close(address: string, tokenId: bigint): Promise<{ requests: bigint; signature: Hex } | null>
  /** Records a token ID's redemption (its transaction and the amount the channel paid). */
  redeemed(address: string, tokenId: bigint, redemption: { tx: Hex; amount: bigint }): Promise<void>
  /**
   * Forgets a token ID's redemption recorded with transaction `tx`, which a reorg took out of
   * the chain (acceptance stays closed: the token ID is still expiring on chain); true if it
   * was recorded with `tx`, false if not (another transaction's, or none).
   */
  unredeemed(address: string, tokenId: bigint, tx: Hex): Promise<boolean>
  /** The highest count accepted of a token ID and when its first token was; null for none (or ID 0). */
  accepted(address: string, tokenId: bigint): Promise<{ highest: bigint; firstAcceptedAt: Date } | null>
  /** Forgets every cached channel: their chain was reset (./chainEpoch), a new channel may take an address. */
  forgetAll(): void
}

/** Creates the {@link AcceptanceStore} of one chain on the hot statements' pool. */
export function createAcceptanceStore({
  sql,
  chainId,
  metrics,
}: {
  sql: HotSql
  chainId: number
  metrics: PaymentMetrics
}): AcceptanceStore {
  /** Per channel, the state as this instance last wrote it. */
  const states = new Map<string, ChannelAcceptance>()

  async function load(address: string, query: Query = sql.query): Promise<ChannelAcceptance> {
    const rows = await query<{
      version: string
      token_id: string | null
      counts: StoredCounts | null
      signature: string | null
      accepted: string | null
      closed: boolean | null
    }>(LOAD, [chainId, address])
    const tokens = new Map<bigint, TokenAcceptance>()
    for (const row of rows) {
      if (row.token_id === null || !row.counts) continue
      tokens.set(BigInt(row.token_id), {
        counts: countsFromJson(row.counts),
        signature: row.signature as Hex,
        accepted: BigInt(row.accepted ?? 0),
        closed: Boolean(row.closed),
      })
    }
    return { version: BigInt(rows[0]?.version ?? 0), tokens }
  }

  /** Writes the changed tokens if the channel is still at `version`; the new version or null. */
  async function write(
    address: string,
    version: bigint,
    changed: Map<bigint, TokenAcceptance>,
    query: Query = sql.query,
  ): Promise<bigint | null> {
    const rows = await query<{ version: string }>(WRITE_ACCEPTED, [
      chainId,
      address,
      version.toString(),
      JSON.stringify(acceptedRecords(changed)),
    ])
    return rows[0] ? BigInt(rows[0].version) : null
  }

  return {
    async apply(address, decide) {
      // Fast path: decide on the cached state, write if nobody changed the channel meanwhile.
      const cached = states.get(address) ?? (await load(address))
      const first = decide(cached)
      if (first.changed.size === 0) return { decided: first, committed: false }
      const version = await write(address, cached.version, first.changed)
      if (version !== null) {
        states.set(address, { version, tokens: first.tokens })
        return { decided: first, committed: true }
      }
      // Another instance wrote first. Retrying optimistically can starve (the winner's next
      // write is one round trip, a reload and write two), so lock the channel row instead:
      // read, decide and write under the lock, which makes the others wait their turn.
      metrics.verifyConflicts.inc()
      states.delete(address)
      const locked = await sql.transaction(async (query) => {
        await query(LOCK, [chainId, address])
        const state = await load(address, query)
        const decided = decide(state)
        if (decided.changed.size === 0) return { decided, version: state.version }
        const committed = await write(address, state.version, decided.changed, query)
        if (committed === null) throw new Error(`channel ${address} changed under its row lock`)
        return { decided, version: committed }
      })
      states.set(address, { version: locked.version, tokens: locked.decided.tokens })
      return { decided: locked.decided, committed: true }
    },

    async close(address, tokenId) {
      const rows = await sql.query<{ highest: string; signature: string }>(CLOSE, [
        chainId,
        address,
        tokenId.toString(),
      ])
      states.delete(address)
      const row = rows[0]
      return row ? { requests: BigInt(row.highest), signature: row.signature as Hex } : null
    },

    async redeemed(address, tokenId, { tx, amount }) {
      await sql.query(REDEEMED, [chainId, address, tokenId.toString(), tx, amount.toString()])
      states.delete(address)
    },

    forgetAll() {
      states.clear()
    },

    async unredeemed(address, tokenId, tx) {
      const rows = await sql.query(UNREDEEMED, [chainId, address, tokenId.toString(), tx.toLowerCase()])
      states.delete(address)
      return rows.length > 0
    },

    async accepted(address, tokenId) {
      if (tokenId === 0n) return null
      const rows = await sql.query<{ highest: string; first_accepted_at: Date }>(OF_TOKEN, [
        chainId,
        address,
        tokenId.toString(),
      ])
      const row = rows[0]
      return row ? { highest: BigInt(row.highest), firstAcceptedAt: row.first_accepted_at } : null
    },
  }
}
