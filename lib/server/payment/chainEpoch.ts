import type { Address, PublicClient } from 'viem'
import { AppError } from '../../errors'
import { blockHashAt } from '../chain'
import type { Db } from '../db/client'
import { findDeployment } from '../deployments'
import type { Logger } from '../log'
import type { PaymentMetrics } from './metrics'

/** The block that identifies the chain the channels belong to (`payment_chain.reference_*`). */
type Reference = { block: bigint; hash: string }

/** What one retirement moved out of the live tables. */
export type Retirement = {
  /** The epoch the retired channels belonged to. */
  epoch: number
  channels: number
  /** Token IDs with issued counts, and with accepted tokens, among them. */
  issued: number
  accepted: number
  /** Accepted and never redeemed, in wei: lost with the old chain. */
  unredeemed: bigint
  reason: string
}

/** A channel of a chain that was reset (`payment_retired_channel`). */
export type RetiredChannel = { address: string; epoch: number; retiredAt: Date; reason: string }

/** What `/api/payment/health` says of the chain's identity. */
export type ChainEpochStatus = {
  epoch: number
  reference: { block: string; hash: string } | null
  resetAt: string | null
  retiredChannels: number
}

/** Checks a little apart are one: a burst of failing reads asks the node once. */
const RECHECK_MS = 1_000

/** The refusal of a call about a channel of a chain that was reset (410). */
export function channelRetiredError(retired: RetiredChannel, chainId: number): AppError {
  return new AppError({
    code: 'channel_retired',
    status: 410,
    message: `Channel ${retired.address} belonged to chain ${chainId} before it was reset (retired ${retired.retiredAt.toISOString()}); open a new channel.`,
    hints: ['POST /api/payment/channels opens a new channel to the same provider.'],
  })
}

/**
 * The Payment Server's guard against a dev chain that was reset under it (same chain id, another
 * chain: `anvil_reset`, a fresh anvil on an old database). The chain is identified by a
 * reference block: the factory's recorded deployment block (`deployment`, written by npm start),
 * or block 0 when none is recorded for this factory (a factory given by address in tests and
 * tools). When the node no longer holds that block, every channel of the old chain is retired:
 * moved with its issued and accepted rows to `payment_retired_channel` (kept for audit; the
 * addresses are taken again as soon as the new chain opens channels with the same nonces), in
 * one transaction under the `payment_chain` row's lock, and the epoch grows by one. Every
 * instance that sees a new epoch calls `onRetired` to forget what it remembered.
 *
 * The first check on a database that has none recorded retires the channels without code on
 * the chain (a database older than this check, on a reset chain).
 */
export function createChainEpoch({
  db,
  client,
  chainId,
  factory,
  log,
  metrics,
  onRetired,
}: {
  db: Db
  client: PublicClient
  chainId: number
  factory: () => Promise<Address>
  log: Logger
  metrics: PaymentMetrics
  /** Called once per new epoch this instance sees (its own retirement or another instance's). */
  onRetired: () => void
}) {
  let seenEpoch: number | undefined
  let running: Promise<Retirement | null> | undefined
  /** The last check a failing read asked for ({@link checkSoon}), and when. */
  let lastAsked = { at: 0, result: Promise.resolve(null) as Promise<Retirement | null> }
  let timer: NodeJS.Timeout | undefined

  /** The block at `block` on the node, null when it has none there; throws when the node does not answer. */
  const hashAt = (block: bigint) => blockHashAt(client, block)

  /** The reference block of the chain the node has now; null while its factory is not deployed. */
  async function referenceNow(factoryAddress: Address): Promise<Reference | null> {
    const deployment = await findDeployment({ db, chainId })
    if (deployment && deployment.address.toLowerCase() === factoryAddress.toLowerCase()) {
      const hash = deployment.blockHash.toLowerCase()
      return (await hashAt(deployment.blockNumber)) === hash ? { block: deployment.blockNumber, hash } : null
    }
    const genesis = await hashAt(0n)
    return genesis ? { block: 0n, hash: genesis } : null
  }

  function notice(epoch: number): void {
    if (seenEpoch !== undefined && epoch !== seenEpoch) onRetired()
    seenEpoch = epoch
  }

  /** Live channels of this chain whose address has no code on the node. */
  async function channelsWithoutCode(): Promise<string[]> {
    const rows = await db.paymentChannel.findMany({ where: { chainId }, select: { address: true } })
    const codes = await Promise.all(rows.map((r) => client.getCode({ address: r.address as Address })))
    return rows.filter((_, i) => !codes[i] || codes[i] === '0x').map((r) => r.address)
  }

  /**
   * Moves the channels (all of this chain's, or `only`) to payment_retired_channel if the epoch
   * is still `epoch`, and starts the next epoch with `reference`; null when another instance
   * did it first.
   */
  async function retire({
    epoch,
    reason,
    only,
    reference,
  }: {
    epoch: number
    reason: string
    only?: string[]
    reference: Reference | null
  }): Promise<Retirement | null> {
    const moved = await db.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO payment_chain (chain_id) VALUES (${chainId}) ON CONFLICT (chain_id) DO NOTHING`
      const [locked] = await tx.$queryRaw<Array<{ epoch: number }>>`
        SELECT epoch FROM payment_chain WHERE chain_id = ${chainId} FOR UPDATE`
      if (locked?.epoch !== epoch) return null
      const addresses =
        only ??
        (
          await tx.$queryRaw<Array<{ address: string }>>`
            SELECT address FROM payment_channel WHERE chain_id = ${chainId} FOR UPDATE`
        ).map((r) => r.address)
      const [counts] = await tx.$queryRaw<
        Array<{ channels: number; issued: number; accepted: number; unredeemed: string }>
      >`
        WITH moved AS (
          INSERT INTO payment_retired_channel (chain_id, epoch, address, consumer, provider,
            consumer_service_id, provider_service_id, unredeemed_value, channel, issued, accepted, reason)
          SELECT c.chain_id, ${epoch}, c.address, c.consumer, c.provider, c.consumer_service_id,
            c.provider_service_id,
            COALESCE((SELECT sum(a.highest * c.cost_per_request) FROM payment_accepted a
              WHERE a.chain_id = c.chain_id AND a.channel = c.address AND a.redeemed_at IS NULL), 0)
            + COALESCE((SELECT sum((SELECT sum(x * y) FROM unnest(a.requests, a.prices) AS d(x, y)))
              FROM payment_accepted_v2 a
              WHERE a.chain_id = c.chain_id AND a.channel = c.address AND a.redeemed_at IS NULL), 0),
            to_jsonb(c) || jsonb_build_object('price_tables',
              COALESCE((SELECT jsonb_agg(to_jsonb(p) ORDER BY p.from_token_id) FROM payment_price_table p
                WHERE p.chain_id = c.chain_id AND p.channel = c.address), '[]'::jsonb)),
            COALESCE((SELECT jsonb_agg(to_jsonb(i) ORDER BY i.token_id) FROM payment_issued i
              WHERE i.chain_id = c.chain_id AND i.channel = c.address), '[]'::jsonb)
            || COALESCE((SELECT jsonb_agg(to_jsonb(i) ORDER BY i.token_id) FROM payment_issued_v2 i
              WHERE i.chain_id = c.chain_id AND i.channel = c.address), '[]'::jsonb),
            COALESCE((SELECT jsonb_agg(to_jsonb(a) ORDER BY a.token_id) FROM payment_accepted a
              WHERE a.chain_id = c.chain_id AND a.channel = c.address), '[]'::jsonb)
            || COALESCE((SELECT jsonb_agg(to_jsonb(a) ORDER BY a.token_id) FROM payment_accepted_v2 a
              WHERE a.chain_id = c.chain_id AND a.channel = c.address), '[]'::jsonb),
            ${reason}
          FROM payment_channel c
          WHERE c.chain_id = ${chainId} AND c.address = ANY(${addresses})
          RETURNING unredeemed_value, jsonb_array_length(issued) AS issued,
            jsonb_array_length(accepted) AS accepted)
        SELECT count(*)::int AS channels, COALESCE(sum(issued), 0)::int AS issued,
          COALESCE(sum(accepted), 0)::int AS accepted, COALESCE(sum(unredeemed_value), 0)::text AS unredeemed
        FROM moved`
      // Cascades to the issued, accepted and price table rows (v1 and v2), copied above.
      await tx.$executeRaw`
        DELETE FROM payment_channel WHERE chain_id = ${chainId} AND address = ANY(${addresses})`
      await tx.$executeRaw`
        UPDATE payment_chain SET epoch = epoch + 1, reference_block = ${reference?.block ?? null},
          reference_hash = ${reference?.hash ?? null}, reset_at = now(), updated_at = now()
        WHERE chain_id = ${chainId}`
      return counts
    })
    const row = await db.paymentChain.findUnique({ where: { chainId } })
    if (row) notice(row.epoch)
    if (!moved) return null
    const retirement: Retirement = {
      epoch,
      channels: moved.channels,
      issued: moved.issued,
      accepted: moved.accepted,
      unredeemed: BigInt(moved.unredeemed),
      reason,
    }
    metrics.chainResets.inc()
    metrics.retiredChannels.inc(retirement.channels)
    log.warn(
      `chain ${chainId} was reset (${reason}): retired ${retirement.channels} payment channels of epoch ${epoch} (${retirement.issued} token IDs issued, ${retirement.accepted} accepted, ${retirement.unredeemed} wei accepted and never redeemed), kept in payment_retired_channel; services open new channels`,
    )
    return retirement
  }

  async function checkNow(): Promise<Retirement | null> {
    let factoryAddress: Address
    try {
      factoryAddress = await factory()
    } catch {
      return null // no factory known yet: no channel can be opened either
    }
    const row = await db.paymentChain.findUnique({ where: { chainId } })
    if (row) notice(row.epoch)
    if (row?.referenceBlock != null && row.referenceHash) {
      const now = await hashAt(row.referenceBlock)
      if (now === row.referenceHash) return null
      let reason = `block ${row.referenceBlock} is ${now} on the node, was ${row.referenceHash}`
      if (now === null) {
        // No block there: a reset chain is shorter; a node that is not (behind a balancer, one
        // that lost its index) does not tell, and retiring every channel on its word would be
        // far worse than waiting for the next check.
        const head = await client.getBlockNumber({ cacheTime: 0 })
        if (head >= row.referenceBlock) return null
        reason = `the node's head ${head} is below block ${row.referenceBlock}`
      }
      return retire({
        epoch: row.epoch,
        reason,
        reference: await referenceNow(factoryAddress),
      })
    }
    const reference = await referenceNow(factoryAddress)
    if (!reference) return null
    if (!row) {
      const orphans = await channelsWithoutCode()
      if (orphans.length > 0) {
        return retire({ epoch: 1, reason: 'the channel has no code on the node', only: orphans, reference })
      }
    }
    // The first reference of this database, or of the chain that replaced a reset one.
    await db.paymentChain.upsert({
      where: { chainId },
      create: { chainId, referenceBlock: reference.block, referenceHash: reference.hash },
      update: { referenceBlock: reference.block, referenceHash: reference.hash, updatedAt: new Date() },
    })
    if (!row) notice(1)
    return null
  }

  const epoch = {
    /**
     * Compares the node's chain with the one the channels belong to and retires them when it
     * was reset; the retirement, or null. One check at a time (a caller arriving meanwhile gets
     * the running one's answer). Throws when the node or the database does not answer.
     */
    check(): Promise<Retirement | null> {
      running ??= checkNow().finally(() => {
        running = undefined
      })
      return running
    },

    /**
     * {@link check} for a read that found no code: a burst of them asks once a second at most.
     * Only these calls count, so that a check just before a reset (at start, by an open) does
     * not hide it from the first read after it.
     */
    checkSoon(): Promise<Retirement | null> {
      if (Date.now() - lastAsked.at >= RECHECK_MS) lastAsked = { at: Date.now(), result: epoch.check() }
      return lastAsked.result
    },

    /** The latest retirement of `address` on this chain, if it was retired. */
    async retired(address: string): Promise<RetiredChannel | null> {
      const row = await db.paymentRetiredChannel.findFirst({
        where: { chainId, address: address.toLowerCase() },
        orderBy: { epoch: 'desc' },
      })
      return row && { address: row.address, epoch: row.epoch, retiredAt: row.retiredAt, reason: row.reason }
    },

    /** The chain's epoch, reference block, last reset and how many channels were retired. */
    async status(): Promise<ChainEpochStatus> {
      const [row, retiredChannels] = await Promise.all([
        db.paymentChain.findUnique({ where: { chainId } }),
        db.paymentRetiredChannel.count({ where: { chainId } }),
      ])
      return {
        epoch: row?.epoch ?? 1,
        reference:
          row?.referenceBlock != null && row.referenceHash
            ? { block: row.referenceBlock.toString(), hash: row.referenceHash }
            : null,
        resetAt: row?.resetAt?.toISOString() ?? null,
        retiredChannels,
      }
    },

    /** Checks every `intervalMs` in the background (failures wait for the next one). */
    start(intervalMs: number): void {
      clearInterval(timer)
      timer = setInterval(() => void epoch.check().catch(() => {}), intervalMs)
      timer.unref()
    },

    stop(): void {
      clearInterval(timer)
    },
  }
  return epoch
}

export type ChainEpoch = ReturnType<typeof createChainEpoch>
