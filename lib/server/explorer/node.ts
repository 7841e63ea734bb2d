import { isoSeconds } from '../../columns/kinds'
import type { BlockSummary, TxSummary } from '../../explorer/api'
import type { ServerContext } from '../context'
import { createRpc, type Rpc, type RpcBlock, type RpcReceipt, type RpcTransaction } from '../rpc'
import { methodOf, type Targets, targetOf } from './targets'

const rpcs = new Map<string, Rpc>()

/** Raw JSON-RPC on the context's node, for what the index does not hold (one client per URL). */
export function rpcOf(ctx: ServerContext): Rpc {
  let rpc = rpcs.get(ctx.rpcUrl)
  if (!rpc) {
    rpc = createRpc({ rpcUrl: ctx.rpcUrl, timeoutMs: 10_000 })
    rpcs.set(ctx.rpcUrl, rpc)
  }
  return rpc
}

const hexToDec = (value: string | null | undefined): string | null =>
  value === null || value === undefined ? null : BigInt(value).toString()

/** A block as the node gives it, as the explorer answers it. */
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

/** A transaction (and its receipt, when known) as the node gives it, as the explorer answers it. */
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
