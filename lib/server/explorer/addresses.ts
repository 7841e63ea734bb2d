import type { Hex } from 'viem'
import type { AddressDetail } from '../../explorer/api'
import type { ServerContext } from '../context'
import { channelFromRow } from '../db/codecs/channel'
import { txFromRow } from '../db/codecs/transaction'
import { addressParam, keysetAfter, pairCursor } from '../http/params'
import { indexedChain } from '../indexedChain'
import { labelsFor } from '../services'
import { blockTimes, headOf } from './blockTimes'

/**
 * An address: balance, nonce and whether it holds code (from the node), its label, the
 * channel it is (if it is one), the channels where it is a party, and its indexed transactions
 * (sent, received, or about it as a channel), newest first, paginated by `<block>:<position>`.
 */
export async function getAddress(
  ctx: ServerContext,
  addressText: string,
  { cursor, limit = 25 }: { cursor?: string | null; limit?: number } = {},
): Promise<AddressDetail> {
  const address = addressParam(addressText)
  const view = await indexedChain(ctx)
  const after = pairCursor(cursor)
  const node = view.head
    ? await Promise.all([
        ctx.chain.getBalance({ address }),
        ctx.chain.getTransactionCount({ address }),
        ctx.chain.getCode({ address }),
      ]).catch(() => null)
    : null
  const [self, parties, rows] = await Promise.all([
    ctx.db.channel.findUnique({ where: { chainId_address: { chainId: view.chainId, address } } }),
    ctx.db.channel.findMany({
      where: { chainId: view.chainId, OR: [{ consumer: address }, { provider: address }] },
      orderBy: [{ openedBlock: 'desc' }, { address: 'desc' }],
      take: 200,
    }),
    ctx.db.transaction.findMany({
      where: {
        chainId: view.chainId,
        AND: [
          { OR: [{ from: address }, { to: address }, { channel: address }] },
          keysetAfter('blockNumber', 'txIndex', after && [after[0], Number(after[1])]),
        ],
      },
      orderBy: [{ blockNumber: 'desc' }, { txIndex: 'desc' }],
      take: limit + 1,
    }),
  ])
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  const times = await blockTimes(
    ctx,
    view.chainId,
    page.map((t) => t.blockNumber),
  )
  const transactions = page.map((t) => txFromRow(t, times.get(t.blockNumber) ?? null))
  const channels = parties.map(channelFromRow)
  const head = await headOf(ctx, view)
  const labels = await labelsFor(ctx, view, [
    address,
    ...channels.flatMap((c) => [c.address, c.consumer, c.provider]),
    ...transactions.flatMap((t) => [t.from, t.to]),
  ])
  const code = node?.[2] as Hex | undefined
  return {
    address,
    kind: node ? (code && code !== '0x' ? 'contract' : 'account') : null,
    balance: node?.[0].toString() ?? null,
    nonce: node ? String(node[1]) : null,
    label: labels[address] ?? null,
    channel: self ? channelFromRow(self) : null,
    channels,
    transactions,
    nextCursor: rows.length > limit && last ? `${last.blockNumber}:${last.txIndex}` : null,
    head,
    labels,
  }
}
