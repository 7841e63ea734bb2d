import { type CostWindow, isoTime, parseWindow, WindowError, type WindowQuery } from '../../costs/window'
import { BadRequestError, DependencyError } from '../../errors'
import type { ServerContext } from '../context'
import type { Db } from '../db/client'
import { Prisma } from '../db/generated/client'
import { env } from '../env'

/**
 * What "now" is for one cost answer, and how every figure of that answer is read at it: the
 * indexed head block and its time, decided once, inside one REPEATABLE READ transaction.
 */

export type CostClock = {
  chainId: number
  /** The chain's time at the newest indexed block (unix s); the wall clock before any block. */
  now: number
  /** The newest indexed block: every figure of the answer is bounded by it (null: none yet). */
  block: bigint | null
  finalBlock: bigint | null
  finalityDepth: number
  /** The hash of `block`, the newest indexed block (null before any). */
  hash?: string | null
}

/**
 * Which chain, and what "now" is: the index's newest block, so figures and windows agree. Costs
 * read only the index (the chain the indexer follows, i.e. updated last), so they answer while
 * the node is down.
 */
async function costClock(ctx: ServerContext): Promise<CostClock> {
  const state = await ctx.db.indexerState.findFirst({ orderBy: { updatedAt: 'desc' } })
  if (!state) {
    throw new DependencyError({
      code: 'not_indexed',
      message: 'Nothing is indexed yet: costs appear once the indexer has read the chain.',
    })
  }
  const chainId = state.chainId
  const finalityDepth = env().INDEXER_FINALITY_DEPTH
  const block = state.cursorNumber
  return {
    chainId,
    now: state.cursorTimestamp !== null ? Number(state.cursorTimestamp) : Math.floor(Date.now() / 1000),
    block,
    finalBlock: block === null ? null : block - BigInt(finalityDepth),
    finalityDepth,
    hash: state.cursorHash,
  }
}

/**
 * Runs one answer's reads at one block. The clock is the transaction's first read, so the
 * REPEATABLE READ snapshot is taken with it: the indexer writes a range's rows and its cursor in
 * one transaction, so nothing written after the clock is seen by any later read. Every chain
 * query also says `block_number <= clock.block` itself (lib/server/costs/settled.ts), so the
 * bound holds for rows another writer adds ahead of the cursor too.
 * @example const graph = await atOneBlock(ctx, (read, clock) => costGraphAt(read, clock, query))
 */
export function atOneBlock<T>(
  ctx: ServerContext,
  read: (ctx: ServerContext, clock: CostClock) => Promise<T>,
): Promise<T> {
  return ctx.db.$transaction(
    async (tx) => {
      // The transaction client lacks only $transaction, $connect, $on and $extends, which no
      // cost read calls.
      const snapshot: ServerContext = { ...ctx, db: tx as unknown as Db, shared: ctx.shared ?? ctx.db }
      return read(snapshot, await costClock(snapshot))
    },
    // Long enough for the largest window's reads on a busy machine; waiting for a connection
    // is bounded by the pool like any other read.
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, timeout: 60_000, maxWait: 10_000 },
  )
}

/** The window of a request's query, or 400 `invalid_window` with the reason. */
export function windowOf(query: WindowQuery, clock: CostClock): CostWindow {
  try {
    return parseWindow(query, clock.now)
  } catch (error) {
    if (error instanceof WindowError)
      throw new BadRequestError({ code: 'invalid_window', message: error.message })
    throw error
  }
}

/** A window as the API answers it (ISO times). */
export const windowView = (w: CostWindow) => ({
  preset: w.preset,
  from: isoTime(w.from),
  to: isoTime(w.to),
  live: w.live,
})

/** The block an answer's figures were read at, as the API answers it. */
export const asOfView = (clock: CostClock) => ({
  block: clock.block?.toString() ?? null,
  time: isoTime(clock.now),
  finalBlock: clock.finalBlock === null ? null : (clock.finalBlock < 0n ? 0n : clock.finalBlock).toString(),
  finalityDepth: clock.finalityDepth,
})
