import type { Hex } from 'viem'
import { intermediaryFactoryAbi } from '../../../contracts/generated'
import { isoSeconds } from '../../columns/kinds'
import { txDetailEntity } from '../../columns/transaction'
import { describeCall, describeLog, describeRevert, txTypeName } from '../../decode'
import { NotFoundError } from '../../errors'
import { errorText } from '../../errorText'
import type { TxDetail, TxEvent } from '../../explorer/api'
import type { ServerContext } from '../context'
import type { Transaction } from '../db/generated/client'
import { txHashParam } from '../http/params'
import { type IndexedChain, indexedChain, requireNode } from '../indexedChain'
import type { RpcLog, RpcReceipt, RpcTransaction } from '../rpc'
import { labelsFor } from '../services'
import { rpcOf } from './node'
import { type Targets, targetOf, targetsFor } from './targets'

/**
 * A transaction with everything decoded: from the index when it is there (any transaction
 * that touched the factory or a channel), else straight from the node (any transaction on the
 * chain), decoded wherever the ABI is known.
 */
export async function getTransaction(ctx: ServerContext, hashText: string): Promise<TxDetail> {
  const hash = txHashParam(hashText)
  const view = await indexedChain(ctx)
  const row = await ctx.db.transaction.findUnique({
    where: { chainId_hash: { chainId: view.chainId, hash } },
  })
  const detail = row ? await fromIndex(ctx, view, row) : await fromNode(ctx, view, hash)
  const t = detail.transaction
  const labels = await labelsFor(ctx, view, [
    t.from,
    t.to,
    t.contractAddress,
    ...detail.events.map((e) => e.address),
    ...detail.events.flatMap((e) =>
      (e.args ?? []).filter((a) => a.type === 'address').map((a) => a.value as string),
    ),
    ...(t.call?.args ?? []).filter((a) => a.type === 'address').map((a) => a.value as string),
  ])
  return { ...detail, labels }
}

const confirmations = (view: IndexedChain, blockNumber: bigint | null): string | null => {
  const top = view.head?.number ?? view.indexed
  return top === null || top === undefined || blockNumber === null || top < blockNumber
    ? null
    : (top - blockNumber + 1n).toString()
}

async function fromIndex(
  ctx: ServerContext,
  view: IndexedChain,
  row: Transaction,
): Promise<Omit<TxDetail, 'labels'>> {
  // The block's time and the receipt's logs at once; the indexed events only when the node has none.
  const [block, receipt, targets] = await Promise.all([
    ctx.db.block.findUnique({
      where: { chainId_hash: { chainId: view.chainId, hash: row.blockHash } },
      select: { timestamp: true },
    }),
    receiptLogs(ctx, view, row),
    // The channel it is about, with its contract version (v1's and v2's calls differ).
    targetsFor(ctx, view, [row.channel]),
  ])
  const target = targetOf(row.to, targets)
  return {
    transaction: {
      ...txDetailEntity.rowToJson(row),
      source: 'index',
      timestamp: block ? isoSeconds(block.timestamp) : null,
      confirmations: confirmations(view, row.blockNumber),
      call: describeCall(row.input as Hex, target),
      revert: row.status === 'success' ? null : describeRevert((row.errorData as Hex | null) ?? null),
    },
    ...('logs' in receipt
      ? { events: await decodedLogs(ctx, view, receipt.logs), eventsSource: 'node', eventsNote: null }
      : {
          // Only the factory's and the channels' logs are indexed: say that others may be missing.
          events: (
            await ctx.db.event.findMany({
              where: { chainId: view.chainId, blockNumber: row.blockNumber, txHash: row.hash },
              orderBy: { logIndex: 'asc' },
            })
          ).map((e) =>
            eventOf(
              {
                logIndex: BigInt(e.logIndex),
                address: e.address,
                topics: e.topics as Hex[],
                data: e.data as Hex,
              },
              true,
            ),
          ),
          eventsSource: 'index',
          eventsNote: `${receipt.reason} These are the indexed factory and channel events only; logs of other contracts are not shown.`,
        }),
  }
}

/**
 * Every log of an indexed transaction's receipt, from the node: the index holds only the
 * factory's and the channels' logs, and a transaction may also call other contracts that emit
 * their own. A reason (a sentence) instead when the node cannot give them.
 */
async function receiptLogs(
  ctx: ServerContext,
  view: IndexedChain,
  row: Transaction,
): Promise<{ logs: RpcLog[] } | { reason: string }> {
  if (!view.head) return { reason: `The chain node does not answer (${view.nodeError}).` }
  let receipt: RpcReceipt | null
  try {
    receipt = (await rpcOf(ctx).getReceipts([row.hash as Hex]))[0] ?? null
  } catch (error) {
    return { reason: `The chain node did not give the receipt (${errorText(error)}).` }
  }
  if (!receipt) return { reason: 'The chain node has no receipt for this transaction.' }
  // A reorg the index has not followed yet: the node's logs belong to another block.
  if (receipt.blockHash.toLowerCase() !== row.blockHash) {
    return { reason: 'The chain node has this transaction in another block than the index.' }
  }
  return { logs: receipt.logs ?? [] }
}

/** Logs in log-index order, decoded where they come from the factory or a channel, else raw. */
async function decodedLogs(ctx: ServerContext, view: IndexedChain, logs: RpcLog[]): Promise<TxEvent[]> {
  const addresses = logs.map((l) => l.address)
  const targets = await targetsFor(ctx, view, addresses)
  await addChannelsFromChain(ctx, targets, addresses)
  return logs
    .map((l) =>
      eventOf(
        { logIndex: BigInt(l.logIndex), address: l.address, topics: l.topics, data: l.data },
        targetOf(l.address, targets) !== null,
      ),
    )
    .sort((a, b) => Number(BigInt(a.logIndex) - BigInt(b.logIndex)))
}

/** Decodes a log when it comes from the factory or a channel (by address, not by topic alone). */
function eventOf(
  log: { logIndex: bigint; address: string; topics: Hex[]; data: Hex },
  known: boolean,
): TxEvent {
  const described = known ? describeLog(log.topics, log.data) : null
  return {
    logIndex: log.logIndex.toString(),
    address: log.address.toLowerCase(),
    name: described?.name ?? null,
    signature: described?.signature ?? null,
    args: described?.args ?? null,
    topics: log.topics.map((t) => t.toLowerCase()),
    data: log.data.toLowerCase(),
  }
}

async function fromNode(
  ctx: ServerContext,
  view: IndexedChain,
  hash: Hex,
): Promise<Omit<TxDetail, 'labels'>> {
  requireNode(view, `Transaction ${hash}`)
  const rpc = rpcOf(ctx)
  let tx: RpcTransaction | null
  let receipt: RpcReceipt | null
  try {
    const [txs, receipts] = await Promise.all([rpc.getTransactions([hash]), rpc.getReceipts([hash])])
    tx = txs[0] ?? null
    receipt = receipts[0] ?? null
  } catch (error) {
    requireNode({ ...view, head: null, nodeError: errorText(error) }, `Transaction ${hash}`)
    throw error
  }
  if (!tx) {
    throw new NotFoundError({
      code: 'not_found',
      message: `No transaction ${hash} on chain ${view.chainId}, neither in the index nor on the node.`,
    })
  }
  const logs: RpcLog[] = receipt?.logs ?? []
  const targets = await targetsFor(ctx, view, [tx.to])
  await addChannelsFromChain(ctx, targets, [tx.to])
  const to = tx.to?.toLowerCase() ?? null
  const target = targetOf(to, targets)
  const blockNumber = tx.blockNumber ? BigInt(tx.blockNumber) : null
  const block =
    blockNumber === null ? null : ((await rpc.getBlocks([blockNumber], false).catch(() => [null]))[0] ?? null)
  const reverted = receipt !== null && BigInt(receipt.status) === 0n
  const gasUsed = receipt ? BigInt(receipt.gasUsed) : null
  const price = receipt ? BigInt(receipt.effectiveGasPrice) : null
  return {
    transaction: {
      hash,
      source: 'node',
      status: receipt === null ? 'pending' : reverted ? 'reverted' : 'success',
      blockNumber: blockNumber?.toString() ?? null,
      blockHash: tx.blockHash?.toLowerCase() ?? null,
      txIndex: tx.transactionIndex ? BigInt(tx.transactionIndex).toString() : null,
      timestamp: block ? isoSeconds(BigInt(block.timestamp)) : null,
      confirmations: receipt ? confirmations(view, blockNumber) : null,
      type: txTypeName(tx.type),
      from: tx.from.toLowerCase(),
      to,
      contractAddress: receipt?.contractAddress?.toLowerCase() ?? null,
      value: BigInt(tx.value).toString(),
      nonce: BigInt(tx.nonce).toString(),
      gasLimit: BigInt(tx.gas).toString(),
      gasUsed: gasUsed?.toString() ?? null,
      gasPrice: tx.gasPrice && !tx.maxFeePerGas ? BigInt(tx.gasPrice).toString() : null,
      maxFeePerGas: tx.maxFeePerGas ? BigInt(tx.maxFeePerGas).toString() : null,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas ? BigInt(tx.maxPriorityFeePerGas).toString() : null,
      effectiveGasPrice: price?.toString() ?? null,
      fee: gasUsed !== null && price !== null ? (gasUsed * price).toString() : null,
      input: tx.input.toLowerCase(),
      call: describeCall(tx.input, target),
      revert: reverted ? describeRevert(await rpc.revertData(tx).catch(() => null)) : null,
      channel: target ? to : null,
    },
    events: await decodedLogs(ctx, view, logs),
    eventsSource: 'node',
    eventsNote: null,
  }
}

/**
 * Channels the index has not reached yet (a transaction newer than the indexed head): asks the
 * factories' `isChannel` for each address not known, so they are decoded with the channel ABI
 * of their version.
 */
async function addChannelsFromChain(
  ctx: ServerContext,
  targets: Targets,
  addresses: (string | null)[],
): Promise<void> {
  const unknown = [...new Set(addresses.filter((a): a is string => !!a).map((a) => a.toLowerCase()))]
    .filter((a) => !targets.factories.has(a) && !targets.channels.has(a))
    .slice(0, 20)
  for (const [factory, version] of targets.factories) {
    const asking = unknown.filter((a) => !targets.channels.has(a))
    const answers = await Promise.all(
      asking.map((address) =>
        ctx.chain
          .readContract({
            address: factory as Hex,
            // isChannel(address) is the same function in both factories.
            abi: intermediaryFactoryAbi,
            functionName: 'isChannel',
            args: [address as Hex],
          })
          .catch(() => false),
      ),
    )
    asking.forEach((address, i) => {
      if (answers[i]) targets.channels.set(address, version)
    })
  }
}
