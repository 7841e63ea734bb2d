import { channelPhase } from '../../channel'
import { describeCall } from '../../decode'
import { DependencyError } from '../../errors'
import type { BlockSummary, ChannelSummary, Head, TxSummary } from '../../explorer/api'
import type { ServerContext } from '../context'
import type { Block, Channel, Transaction } from '../db/generated/client'
import { readChainAndIndex } from '../indexerStatus'
import { createRpc, type Rpc, type RpcBlock, type RpcReceipt, type RpcTransaction } from '../rpc'

/** What every explorer read needs: the web process's clients plus raw RPC for node fallbacks. */
export type ExplorerContext = ServerContext

const rpcs = new Map<string, Rpc>()

/** Raw JSON-RPC on the context's node (one client per URL, batched where it helps). */
export function rpcOf(ctx: ExplorerContext): Rpc {
  let rpc = rpcs.get(ctx.rpcUrl)
  if (!rpc) {
    rpc = createRpc({ rpcUrl: ctx.rpcUrl, timeoutMs: 10_000 })
    rpcs.set(ctx.rpcUrl, rpc)
  }
  return rpc
}

export type ChainView = {
  chainId: number
  /** The node's head; null when the node does not answer. */
  head: { number: bigint; timestamp: bigint } | null
  nodeError: string | null
  factory: string | null
  indexed: bigint | null
}

/**
 * The chain this request is about: id and head from the node, factory and indexed head from
 * the database. Without the node, the one chain the database indexes (reads then come from
 * the index only).
 */
export async function chainView(ctx: ExplorerContext): Promise<ChainView> {
  const { chainId, head, chainError, state } = await readChainAndIndex(ctx)
  const nodeError = head ? null : (chainError ?? 'The chain node does not answer.')
  if (chainId === null) {
    throw new DependencyError({
      code: 'chain_unavailable',
      message: `The chain node does not answer and nothing is indexed yet (${nodeError}).`,
    })
  }
  return {
    chainId,
    head,
    nodeError,
    factory: state?.factoryAddress.toLowerCase() ?? null,
    indexed: state?.cursorNumber ?? null,
  }
}

/** Throws 503 `chain_unavailable` when the answer needs the node and it does not answer. */
export function requireNode(view: ChainView, what: string): void {
  if (view.head === null) {
    throw new DependencyError({
      code: 'chain_unavailable',
      message: `${what} is not in the index and the chain node does not answer (${view.nodeError}).`,
    })
  }
}

/** Average seconds per block over the newest indexed blocks; null with fewer than two. */
export async function recentBlockTime(ctx: ExplorerContext, chainId: number): Promise<number | null> {
  const rows = await ctx.db.block.findMany({
    where: { chainId },
    orderBy: { number: 'desc' },
    take: 50,
    select: { number: true, timestamp: true },
  })
  const newest = rows[0]
  const oldest = rows.at(-1)
  if (!newest || !oldest || newest.number === oldest.number) return null
  return Number(newest.timestamp - oldest.timestamp) / Number(newest.number - oldest.number)
}

export async function headOf(ctx: ExplorerContext, view: ChainView): Promise<Head> {
  return {
    number: view.head?.number.toString() ?? null,
    timestamp: view.head ? isoSeconds(view.head.timestamp) : null,
    indexed: view.indexed?.toString() ?? null,
    blockTimeSeconds: await recentBlockTime(ctx, view.chainId),
  }
}

export const isoSeconds = (seconds: bigint | number): string => new Date(Number(seconds) * 1000).toISOString()

const dec = (value: { toFixed(): string } | bigint | number | null | undefined): string | null =>
  value === null || value === undefined
    ? null
    : typeof value === 'object'
      ? value.toFixed()
      : value.toString()

/** A Prisma Decimal or bigint as an exact decimal string (never through a float). */
export const decimal = (value: { toFixed(): string } | bigint | number): string => dec(value) as string
export const decimalOrNull = dec

const hexToDec = (value: string | null | undefined): string | null =>
  value === null || value === undefined ? null : BigInt(value).toString()

// --- rows to answers ------------------------------------------------------------------------

export function blockFromRow(row: Block): BlockSummary {
  return {
    number: row.number.toString(),
    hash: row.hash,
    timestamp: isoSeconds(row.timestamp),
    miner: row.miner.toLowerCase(),
    gasUsed: decimal(row.gasUsed),
    gasLimit: decimal(row.gasLimit),
    baseFeePerGas: decimalOrNull(row.baseFeePerGas),
    size: row.size.toString(),
    txCount: String(row.txCount),
  }
}

export function blockFromRpc(block: RpcBlock): BlockSummary {
  return {
    number: BigInt(block.number).toString(),
    hash: block.hash.toLowerCase(),
    timestamp: isoSeconds(BigInt(block.timestamp)),
    miner: block.miner.toLowerCase(),
    gasUsed: BigInt(block.gasUsed).toString(),
    gasLimit: BigInt(block.gasLimit).toString(),
    baseFeePerGas: hexToDec(block.baseFeePerGas),
    size: BigInt(block.size).toString(),
    txCount: String(block.transactions.length),
  }
}

/** Which ABI a call to `to` is decoded with: the factory's, a channel's, or none. */
export type Targets = { factory: string | null; channels: Set<string> }

export function targetOf(to: string | null, targets: Targets): 'factory' | 'channel' | null {
  if (!to) return null
  const a = to.toLowerCase()
  if (a === targets.factory) return 'factory'
  return targets.channels.has(a) ? 'channel' : null
}

/** The method a call invokes: the function name where the ABI is known, else the selector. */
export function methodOf(input: string, target: 'factory' | 'channel' | null): string | null {
  if (input.length < 10) return null
  return describeCall(input as `0x${string}`, target)?.name ?? input.slice(0, 10).toLowerCase()
}

export function txFromRow(row: Transaction, timestamp: string | null): TxSummary {
  return {
    hash: row.hash,
    blockNumber: row.blockNumber.toString(),
    txIndex: String(row.txIndex),
    timestamp,
    from: row.from,
    to: row.to,
    contractAddress: row.contractAddress,
    value: decimal(row.value),
    fee: decimal(row.fee),
    status: row.status === 'success' ? 'success' : 'reverted',
    method: row.functionName ?? (row.input.length >= 10 ? row.input.slice(0, 10) : null),
    channel: row.channel,
  }
}

export function txFromRpc(
  tx: RpcTransaction,
  receipt: RpcReceipt | null,
  timestamp: string | null,
  targets: Targets,
): TxSummary {
  const to = tx.to?.toLowerCase() ?? null
  const target = targetOf(to, targets)
  return {
    hash: tx.hash.toLowerCase(),
    blockNumber: BigInt(tx.blockNumber).toString(),
    txIndex: BigInt(tx.transactionIndex).toString(),
    timestamp,
    from: tx.from.toLowerCase(),
    to,
    contractAddress: receipt?.contractAddress?.toLowerCase() ?? null,
    value: BigInt(tx.value).toString(),
    fee: receipt ? (BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice)).toString() : null,
    status: receipt ? (BigInt(receipt.status) === 1n ? 'success' : 'reverted') : 'unknown',
    method: methodOf(tx.input, target),
    channel: target ? to : null,
  }
}

export function channelFromRow(row: Channel): ChannelSummary {
  return {
    address: row.address,
    consumer: row.consumer,
    provider: row.provider,
    phase: channelPhase({
      terminated: row.terminated,
      terminatesAt: BigInt(row.terminatesAt.toFixed()),
      expiringTokenId: BigInt(row.expiringTokenId.toFixed()),
    }),
    costPerRequest: decimal(row.costPerRequest),
    redemptionTimeout: decimal(row.redemptionTimeout),
    terminationTimeout: decimal(row.terminationTimeout),
    consumerFunds: decimal(row.consumerFunds),
    providerFunds: decimal(row.providerFunds),
    activeTokenId: decimal(row.activeTokenId),
    expiringTokenId: decimal(row.expiringTokenId),
    redeemableAt: decimal(row.redeemableAt),
    lastTokenId: decimal(row.lastTokenId),
    terminatesAt: decimal(row.terminatesAt),
    terminated: row.terminated,
    terminatedBy: row.terminatedBy,
    openedBlock: row.openedBlock.toString(),
    openedTx: row.openedTx,
    openedAt: isoSeconds(row.openedAt),
    totalDeposited: decimal(row.totalDeposited),
    totalRedeemed: decimal(row.totalRedeemed),
    totalRequests: decimal(row.totalRequests),
    totalWithdrawn: decimal(row.totalWithdrawn),
    redemptions: String(row.redemptions),
    lastEventBlock: row.lastEventBlock.toString(),
  }
}

/** Known channels among `addresses` (one query), with the factory: what calls decode with. */
export async function targetsFor(
  ctx: ExplorerContext,
  view: ChainView,
  addresses: Iterable<string | null>,
): Promise<Targets> {
  const wanted = [...new Set([...addresses].filter((a): a is string => !!a).map((a) => a.toLowerCase()))]
  const rows =
    wanted.length === 0
      ? []
      : await ctx.db.channel.findMany({
          where: { chainId: view.chainId, address: { in: wanted } },
          select: { address: true },
        })
  return { factory: view.factory, channels: new Set(rows.map((r) => r.address)) }
}

/** Block times by number for indexed blocks (one query). */
export async function blockTimes(
  ctx: ExplorerContext,
  chainId: number,
  numbers: Iterable<bigint>,
): Promise<Map<bigint, string>> {
  const wanted = [...new Set(numbers)]
  if (wanted.length === 0) return new Map()
  const rows = await ctx.db.block.findMany({
    where: { chainId, number: { in: wanted } },
    select: { number: true, timestamp: true },
  })
  return new Map(rows.map((r) => [r.number, isoSeconds(r.timestamp)]))
}
