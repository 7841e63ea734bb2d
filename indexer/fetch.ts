import type { Hex } from 'viem'
import { channelEventTopics, isFactoryEvent } from '../lib/channelEvents'
import {
  isRangeError,
  type Rpc,
  type RpcBlock,
  type RpcLog,
  type RpcReceipt,
  type RpcTransaction,
} from '../lib/server/rpc'
import type { FactoryRef } from './factories'

/** The node's view changed between two calls of one range (a reorg in progress): try again. */
export class ChainMovedError extends Error {
  constructor(message: string) {
    super(`the chain changed while reading it (${message}); reading again`)
    this.name = 'ChainMovedError'
  }
}

/**
 * Block-range sizing for eth_getLogs: aims at `targetLogs` per response from the density seen
 * in the last one, grows at most twofold per range, halves on a node limit or timeout.
 */
export class RangeSizer {
  span: number
  constructor(
    readonly max: number,
    readonly targetLogs: number,
    // Small first: one dense range can be tens of MB; growing by doubling costs little.
    initial = Math.min(max, 16),
  ) {
    this.span = initial
  }
  /** Sizes the next range from the log density of the last one (at most doubling at a time). */
  observe(logs: number, blocks: number): void {
    const perBlock = logs / Math.max(1, blocks)
    const fits = perBlock === 0 ? this.max : Math.floor(this.targetLogs / perBlock)
    this.span = Math.max(1, Math.min(this.max, fits, Math.max(blocks, 1) * 2))
  }
  shrink(blocks: number): void {
    this.span = Math.max(1, Math.floor(blocks / 2))
  }
}

export type FetchedTransaction = {
  tx: RpcTransaction
  receipt: RpcReceipt
  /** Revert data of a failed transaction, when the node gives it. */
  revertData: Hex | null
  /** The channel or factory it called or whose events it emitted. */
  channel: Hex | null
}

export type RangeData = {
  from: bigint
  to: bigint
  /** Logs of the factories and of known channels (including ones opened in this range), in chain order. */
  logs: RpcLog[]
  /** Fetched blocks in ascending order, always including `from` and `to`. */
  blocks: RpcBlock[]
  /** The same blocks by number. */
  byNumber: Map<bigint, RpcBlock>
  /** Numbers of the blocks whose header goes into the `block` table. */
  stored: Set<bigint>
  transactions: FetchedTransaction[]
}

export type FetchParameters = {
  rpc: Rpc
  from: bigint
  /** Highest block this range may reach (the head). */
  maxTo: bigint
  /** The factories followed (v1's, and v2's when the chain has one), addresses lowercase. */
  factories: readonly FactoryRef[]
  isChannel: (address: Hex) => boolean
  mode: 'all' | 'relevant'
  /** Blocks at or above this number are fetched in full for the parent-hash check in `relevant` mode. */
  windowStart: bigint
  sizer: RangeSizer
  /** Upper bound on blocks per range when every block is fetched. */
  maxBlocksPerRange?: number
}

const toBig = (h: Hex) => BigInt(h)

/** Reads one block range: logs (adaptive range), blocks, relevant transactions and receipts. */
export async function fetchRange(p: FetchParameters): Promise<RangeData> {
  const { rpc, from } = p
  const factories = new Set(p.factories.map((f) => f.address))
  let maxTo = p.maxTo
  if (p.mode === 'all') maxTo = min(maxTo, from + BigInt(p.maxBlocksPerRange ?? 500) - 1n)

  // 1. Logs, in a range that adapts to the node's limits.
  let to: bigint
  let rawLogs: RpcLog[]
  for (;;) {
    to = min(maxTo, from + BigInt(p.sizer.span) - 1n)
    try {
      rawLogs = await rpc.getLogs({ fromBlock: from, toBlock: to, topics: [channelEventTopics] })
      p.sizer.observe(rawLogs.length, Number(to - from + 1n))
      break
    } catch (error) {
      if (!isRangeError(error) || to === from) throw error
      p.sizer.shrink(Number(to - from + 1n))
    }
  }

  // 2. Keep the factories' logs and those of their channels, including channels opened here (a
  //    channel's first events, Deposited and v2's PricesAnnounced, come before ChannelOpened,
  //    from its constructor).
  const opened = new Set<string>()
  for (const log of rawLogs) {
    if (factories.has(log.address.toLowerCase() as Hex) && isFactoryEvent(log.topics[0]) && log.topics[1]) {
      opened.add(`0x${log.topics[1].slice(26)}`.toLowerCase())
    }
  }
  const isTarget = (address: string | null | undefined): boolean => {
    if (!address) return false
    const a = address.toLowerCase() as Hex
    return factories.has(a) || opened.has(a) || p.isChannel(a)
  }
  const logs = rawLogs.filter((l) => !l.removed && isTarget(l.address))
  logs.sort(
    (a, b) => cmp(toBig(a.blockNumber), toBig(b.blockNumber)) || cmp(toBig(a.logIndex), toBig(b.logIndex)),
  )

  // 3. Blocks: every one (dev chain) or those with logs plus the unfinalized window.
  const logBlocks = new Set(logs.map((l) => toBig(l.blockNumber)))
  const wanted = new Map<bigint, boolean>() // number -> with full transactions
  if (p.mode === 'all') {
    for (let n = from; n <= to; n++) wanted.set(n, true)
  } else {
    for (const n of logBlocks) wanted.set(n, true)
    for (const f of p.factories)
      if (f.blockNumber >= from && f.blockNumber <= to) wanted.set(f.blockNumber, true)
    for (let n = max(from, p.windowStart); n <= to; n++) if (!wanted.has(n)) wanted.set(n, false)
    if (!wanted.has(from)) wanted.set(from, false)
    if (!wanted.has(to)) wanted.set(to, false)
  }
  const numbers = [...wanted.keys()].sort(cmp)
  const full = numbers.filter((n) => wanted.get(n))
  const light = numbers.filter((n) => !wanted.get(n))
  const [fullBlocks, lightBlocks] = await Promise.all([
    rpc.getBlocks(full, true),
    rpc.getBlocks(light, false),
  ])
  const byNumber = new Map<bigint, RpcBlock>()
  for (const [i, block] of [...fullBlocks, ...lightBlocks].entries()) {
    const n = i < full.length ? full[i]! : light[i - full.length]!
    if (!block) throw new ChainMovedError(`block ${n} is not there any more`)
    byNumber.set(n, block)
  }
  const blocks = numbers.map((n) => byNumber.get(n)!)
  for (let i = 1; i < blocks.length; i++) {
    const [a, b] = [blocks[i - 1]!, blocks[i]!]
    if (toBig(b.number) === toBig(a.number) + 1n && b.parentHash !== a.hash) {
      throw new ChainMovedError(`block ${toBig(b.number)} does not follow ${a.hash}`)
    }
  }
  for (const log of logs) {
    if (byNumber.get(toBig(log.blockNumber))?.hash !== log.blockHash) {
      throw new ChainMovedError(`log of block ${toBig(log.blockNumber)} is from another block`)
    }
  }

  // 4. Relevant transactions: those that emitted the logs, and (from full blocks) those that
  //    called a factory or a channel, failed ones included; the factories' own deployments.
  const logTxs = new Map<string, Hex>()
  for (const log of logs) {
    if (!logTxs.has(log.transactionHash)) {
      logTxs.set(log.transactionHash, log.address.toLowerCase() as Hex)
    }
  }
  const candidates: { tx: RpcTransaction; channel: Hex | null }[] = []
  for (const n of full) {
    for (const tx of byNumber.get(n)!.transactions as RpcTransaction[]) {
      const emitted = logTxs.get(tx.hash)
      const called = isTarget(tx.to) ? (tx.to!.toLowerCase() as Hex) : undefined
      const deploysFactory = tx.to === null && p.factories.some((f) => f.blockNumber === n)
      if (emitted || called || deploysFactory) {
        candidates.push({ tx, channel: called ?? emitted ?? null })
        logTxs.delete(tx.hash)
      }
    }
  }
  if (logTxs.size > 0) throw new ChainMovedError(`transaction ${[...logTxs.keys()][0]} is not in its block`)

  const receipts = await rpc.getReceipts(candidates.map((c) => c.tx.hash))
  const transactions: FetchedTransaction[] = []
  for (const [i, { tx, channel }] of candidates.entries()) {
    const receipt = receipts[i]
    if (!receipt || receipt.blockHash !== tx.blockHash) throw new ChainMovedError(`no receipt for ${tx.hash}`)
    if (tx.to === null) {
      const deployed = receipt.contractAddress?.toLowerCase() as Hex | undefined
      if (!deployed || !factories.has(deployed)) continue
      transactions.push({ tx, receipt, revertData: null, channel: deployed })
      continue
    }
    transactions.push({ tx, receipt, revertData: null, channel })
  }
  await Promise.all(
    transactions
      .filter((t) => t.receipt.status === '0x0')
      .map(async (t) => {
        t.revertData = await rpc.revertData(t.tx)
      }),
  )

  const stored = new Set(p.mode === 'all' ? numbers : full)
  return { from, to, logs, blocks, byNumber, stored, transactions }
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}
function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b
}
function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b
}
