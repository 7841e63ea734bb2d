import type { Hex } from 'viem'
import { isoSeconds } from '../../columns/kinds'
import { describeLog } from '../../decode'
import { NotFoundError } from '../../errors'
import type { ChannelDetail, ChannelEventRow, ChannelPage, Countdown, EventPage } from '../../explorer/api'
import type { ServerContext } from '../context'
import { channelFromRow } from '../db/codecs/channel'
import { txFromRow } from '../db/codecs/transaction'
import type { Event } from '../db/generated/client'
import { addressParam, invalidCursor, keysetAfter, pairCursor } from '../http/params'
import { indexedChain } from '../indexedChain'
import { labelsFor } from '../services'
import { type BlockRange, inBlocks } from './addresses'
import { blockTimes, headOf } from './blockTimes'
import { channelPricing } from './channelPricing'

/** Events and transactions shown on a channel's page (newest first). */
const CHANNEL_HISTORY = 200

/** Every indexed channel, newest first; `cursor` is `<openedBlock>:<address>` of the last one. */
export async function listChannels(
  ctx: ServerContext,
  { cursor, limit = 50 }: { cursor?: string | null; limit?: number } = {},
): Promise<ChannelPage> {
  const view = await indexedChain(ctx)
  const after = channelCursor(cursor)
  // Channels opened in one block are told apart by address (a stable, unique order).
  const rows = await ctx.db.channel.findMany({
    where: {
      chainId: view.chainId,
      ...keysetAfter('openedBlock', 'address', after),
    },
    orderBy: [{ openedBlock: 'desc' }, { address: 'desc' }],
    take: limit + 1,
  })
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  const channels = page.map(channelFromRow)
  return {
    channels,
    nextCursor: rows.length > limit && last ? `${last.openedBlock}:${last.address}` : null,
    head: await headOf(ctx, view),
    labels: await labelsFor(
      ctx,
      view,
      channels.flatMap((c) => [c.address, c.consumer, c.provider]),
    ),
  }
}

function channelCursor(raw: string | null | undefined): [bigint, string] | null {
  if (!raw) return null
  const match = /^(\d{1,30}):(0x[0-9a-f]{40})$/.exec(raw)
  if (!match) {
    throw invalidCursor()
  }
  return [BigInt(match[1] as string), match[2] as string]
}

/** A channel: its state, countdowns against the chain head, its events and its transactions. */
export async function getChannel(ctx: ServerContext, addressText: string): Promise<ChannelDetail> {
  const address = addressParam(addressText)
  const view = await indexedChain(ctx)
  const row = await ctx.db.channel.findUnique({
    where: { chainId_address: { chainId: view.chainId, address } },
  })
  if (!row) {
    throw new NotFoundError({
      code: 'not_found',
      message: `${address} is not an indexed channel on chain ${view.chainId}.`,
      hints: [`/address/${address} shows any address.`],
    })
  }
  const [{ events: eventRows }, transactions, head] = await Promise.all([
    eventPage(ctx, { chainId: view.chainId, channel: address, limit: CHANNEL_HISTORY }),
    // Its own transactions, and the factory call that opened it.
    ctx.db.transaction.findMany({
      where: { chainId: view.chainId, OR: [{ channel: address }, { hash: row.openedTx }] },
      orderBy: [{ blockNumber: 'desc' }, { txIndex: 'desc' }],
      take: CHANNEL_HISTORY,
    }),
    headOf(ctx, view),
  ])
  const channel = channelFromRow(row)
  const [times, pricing] = await Promise.all([
    blockTimes(
      ctx,
      view.chainId,
      transactions.map((t) => t.blockNumber),
    ),
    channelPricing(ctx, view.chainId, channel),
  ])
  const now = view.head?.timestamp ?? null
  return {
    channel,
    pricing,
    head,
    countdowns: {
      redeemable:
        channel.expiringTokenId !== '0' && !channel.terminated
          ? countdown(BigInt(channel.redeemableAt), now, head.blockTimeSeconds)
          : null,
      termination:
        channel.terminatesAt !== '0' && !channel.terminated
          ? countdown(BigInt(channel.terminatesAt), now, head.blockTimeSeconds)
          : null,
    },
    events: eventRows,
    transactions: transactions.map((t) => txFromRow(t, times.get(t.blockNumber) ?? null)),
    labels: await labelsFor(ctx, view, [
      channel.address,
      channel.consumer,
      channel.provider,
      ...transactions.flatMap((t) => [t.from, t.to]),
      ...eventRows.flatMap((e) => e.args.filter((a) => a.type === 'address').map((a) => a.value as string)),
    ]),
  }
}

/**
 * Time left until `at` (unix seconds) measured on the chain's clock (the head block's time),
 * and the blocks that takes at the recent block time. Without a head, measured on this clock.
 */
export function countdown(at: bigint, now: bigint | null, blockTimeSeconds: number | null): Countdown {
  const clock = now ?? BigInt(Math.floor(Date.now() / 1000))
  const left = at > clock ? Number(at - clock) : 0
  return {
    at: isoSeconds(at),
    secondsLeft: left,
    blocksLeft:
      blockTimeSeconds && blockTimeSeconds > 0
        ? String(left === 0 ? 0 : Math.ceil(left / blockTimeSeconds))
        : null,
    due: left === 0,
  }
}

function eventRow(e: Event): ChannelEventRow {
  const described = describeLog(e.topics as Hex[], e.data as Hex)
  return {
    channel: e.channel,
    blockNumber: e.blockNumber.toString(),
    timestamp: isoSeconds(e.blockTimestamp),
    txHash: e.txHash,
    logIndex: String(e.logIndex),
    name: e.name,
    args: described?.args ?? [],
  }
}

/** The newest channel events of all channels; `cursor` is `<block>:<logIndex>` of the last one. */
export async function listEvents(
  ctx: ServerContext,
  { cursor, limit = 25 }: { cursor?: string | null; limit?: number } = {},
): Promise<EventPage> {
  const view = await indexedChain(ctx)
  const { events, nextCursor } = await eventPage(ctx, { chainId: view.chainId, cursor, limit })
  return {
    events,
    nextCursor,
    labels: await labelsFor(ctx, view, [
      ...events.map((e) => e.channel),
      ...events.flatMap((e) => e.args.filter((a) => a.type === 'address').map((a) => a.value as string)),
    ]),
  }
}

/** Which channel events: one channel's (or all) within `blocks`. */
export const eventWhere = (chainId: number, channel?: string, blocks?: BlockRange) => ({
  chainId,
  ...(channel !== undefined && { channel }),
  ...inBlocks(blocks),
})

/**
 * One page of channel events, newest first, decoded; `cursor` and `nextCursor` are
 * `<block>:<logIndex>`. The latest events, a channel's timeline and its CSV export read through it.
 */
export async function eventPage(
  ctx: ServerContext,
  {
    chainId,
    channel,
    cursor,
    limit,
    blocks,
  }: { chainId: number; channel?: string; cursor?: string | null; limit: number; blocks?: BlockRange },
): Promise<{ events: ChannelEventRow[]; nextCursor: string | null }> {
  const after = pairCursor(cursor)
  const rows = await ctx.db.event.findMany({
    where: {
      ...eventWhere(chainId, channel, blocks),
      ...keysetAfter('blockNumber', 'logIndex', after && [after[0], Number(after[1])]),
    },
    orderBy: [{ blockNumber: 'desc' }, { logIndex: 'desc' }],
    take: limit + 1,
  })
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    events: page.map(eventRow),
    nextCursor: rows.length > limit && last ? `${last.blockNumber}:${last.logIndex}` : null,
  }
}
