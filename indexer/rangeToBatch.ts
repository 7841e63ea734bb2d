import type { Hex } from 'viem'
import {
  ChannelFold,
  decodeChannelEvent,
  factoryEventVersion,
  type IndexedChannel,
  jsonArgs,
} from '../lib/channelEvents'
import { callTargetOf, decodeCall, decodeRevert, txTypeName } from '../lib/decode'
import type { RpcBlock } from '../lib/server/rpc'
import type { Batch, Cursor, EventRow, TransactionRow } from './batch'
import type { RangeData } from './fetch'

/** The cursor's block is no longer the parent of the next one: a reorg or a reset. */
export class DivergedError extends Error {}

/** A node's hex quantity as a bigint (0n when absent). */
export const big = (h: Hex | null | undefined): bigint => (h ? BigInt(h) : 0n)

/**
 * Turns a fetched range into rows and channel states (folding its events into `channels`,
 * which it updates); throws DivergedError when the range does not continue `cursor`.
 */
export function rangeToBatch({
  data,
  head,
  cursor,
  factories,
  channels,
  finality,
}: {
  data: RangeData
  head: RpcBlock
  cursor: Cursor | null
  /** The factories' versions by lowercase address (v1's, and v2's when the chain has one). */
  factories: ReadonlyMap<string, 1 | 2>
  /** The states of the known channels, by lowercase address. */
  channels: Map<string, IndexedChannel>
  /** Blocks below the head that can still be replaced; their hashes are kept for the parent check. */
  finality: number
}): Batch {
  const first = data.blocks[0]!
  if (cursor && data.from === cursor.number + 1n && first.parentHash !== cursor.hash) {
    throw new DivergedError(`block ${data.from} does not follow the indexed block ${cursor.number}`)
  }
  const { byNumber } = data
  const fold = new ChannelFold(channels)

  const events: EventRow[] = []
  for (const log of data.logs) {
    const event = decodeChannelEvent(log.topics, log.data)
    if (!event) continue
    const address = log.address.toLowerCase() as Hex
    const channel = event.name === 'ChannelOpened' ? event.args.channel : address
    // A factory's event only from the factory of its version; a channel's never from a factory.
    const version = factories.get(address)
    if (event.name === 'ChannelOpened' ? version !== factoryEventVersion(log.topics[0]) : version) continue
    const blockNumber = big(log.blockNumber)
    const blockTimestamp = big(byNumber.get(blockNumber)!.timestamp)
    fold.apply(channel, event, { blockNumber, blockTimestamp, txHash: log.transactionHash })
    events.push({
      blockHash: log.blockHash,
      logIndex: Number(log.logIndex),
      blockNumber,
      blockTimestamp,
      txHash: log.transactionHash,
      txIndex: Number(log.transactionIndex),
      address,
      channel,
      name: event.name,
      args: jsonArgs(event.args),
      topics: log.topics,
      data: log.data,
    })
  }

  // Channels opened in this range are in `channels` now (the fold added them).
  const versionOf = (address: string) => channels.get(address)?.contractVersion
  const transactions: TransactionRow[] = data.transactions.map(({ tx, receipt, revertData, channel }) => {
    const to = tx.to?.toLowerCase() as Hex | undefined
    const call = decodeCall(tx.input, callTargetOf(to, factories, versionOf))
    const failed = receipt.status !== '0x1'
    const revert = failed ? decodeRevert(revertData) : null
    const gasUsed = big(receipt.gasUsed)
    const effectiveGasPrice = big(receipt.effectiveGasPrice)
    return {
      hash: tx.hash,
      blockHash: tx.blockHash,
      blockNumber: big(tx.blockNumber),
      txIndex: Number(tx.transactionIndex),
      type: txTypeName(tx.type),
      from: tx.from.toLowerCase() as Hex,
      to: to ?? null,
      contractAddress: (receipt.contractAddress?.toLowerCase() as Hex | undefined) ?? null,
      value: big(tx.value),
      nonce: big(tx.nonce),
      gasLimit: big(tx.gas),
      gasPrice: tx.gasPrice ? big(tx.gasPrice) : null,
      maxFeePerGas: tx.maxFeePerGas ? big(tx.maxFeePerGas) : null,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas ? big(tx.maxPriorityFeePerGas) : null,
      input: tx.input,
      status: failed ? 'reverted' : 'success',
      gasUsed,
      effectiveGasPrice,
      fee: gasUsed * effectiveGasPrice,
      channel,
      functionName: call?.name ?? null,
      functionArgs: call?.args ?? null,
      errorName: revert?.name ?? null,
      errorArgs: revert?.args ?? null,
      errorData: failed ? revertData : null,
    }
  })

  const last = byNumber.get(data.to)!
  const headNumber = big(head.number)
  const recentFrom = data.to - BigInt(finality)
  return {
    blocks: data.blocks
      .filter((b) => data.stored.has(big(b.number)))
      .map((b) => ({
        number: big(b.number),
        hash: b.hash,
        parentHash: b.parentHash,
        timestamp: big(b.timestamp),
        miner: b.miner.toLowerCase() as Hex,
        gasUsed: big(b.gasUsed),
        gasLimit: big(b.gasLimit),
        baseFeePerGas: b.baseFeePerGas ? big(b.baseFeePerGas) : null,
        size: big(b.size),
        txCount: b.transactions.length,
      })),
    recent: data.blocks
      .filter((b) => big(b.number) >= recentFrom)
      .map((b) => ({
        number: big(b.number),
        hash: b.hash,
        parentHash: b.parentHash,
        timestamp: big(b.timestamp),
      })),
    transactions,
    events,
    channels: fold.changed(),
    cursor: { number: data.to, hash: last.hash, timestamp: big(last.timestamp) },
    head: { number: headNumber, timestamp: big(head.timestamp) },
    phase: data.to >= headNumber ? 'live' : 'backfill',
    recentFrom,
  }
}
