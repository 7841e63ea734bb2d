import type { Address, PublicClient } from 'viem'
import { intermediaryV2Abi } from '../../../../contracts/generated'
import { bigintOf } from '../../../columns/kinds'
import { DependencyError } from '../../../errors'
import type { Db } from '../../db/client'

/** A price table and the first token ID it applies to (until the next one's). */
export type PriceTable = { fromTokenId: bigint; prices: readonly bigint[] }

/** The table of `tokenId` among `tables` (ascending by fromTokenId), or null when none applies. */
export function tableFor(tables: readonly PriceTable[], tokenId: bigint): readonly bigint[] | null {
  let found: readonly bigint[] | null = null
  for (const t of tables) if (t.fromTokenId <= tokenId) found = t.prices
  return found
}

/**
 * The price tables of version 2 channels per token ID, as the chain's `PricesAnnounced` events
 * say (the contract stores only their hashes): read from the node when a token ID past what is
 * known is asked for, kept in memory and recorded in `payment_price_table`. A token ID's table
 * never changes once the ID is active (IntermediaryV2), so what was read for IDs up to the
 * channel's last ID stays true; a later ID is read again, once.
 */
export function createPriceTables({
  db,
  client,
  chainId,
  maxBlockRange = 10_000,
}: {
  db: Db
  client: PublicClient
  chainId: number
  /** Most blocks one eth_getLogs spans (public nodes refuse wider ranges); default 10,000. */
  maxBlockRange?: number
}) {
  const known = new Map<string, { tables: PriceTable[]; upTo: bigint }>()
  const reading = new Map<string, Promise<{ tables: PriceTable[]; upTo: bigint }>>()

  async function save(address: string, tables: readonly PriceTable[]): Promise<void> {
    for (const t of tables) {
      const prices = t.prices.map(String)
      await db.paymentPriceTable.upsert({
        where: {
          chainId_channel_fromTokenId: { chainId, channel: address, fromTokenId: t.fromTokenId.toString() },
        },
        create: { chainId, channel: address, fromTokenId: t.fromTokenId.toString(), prices },
        update: { prices },
      })
    }
  }

  /**
   * The first block a channel's events can be in: its opening block when the index has the
   * channel (the same database), else the chain's first.
   */
  async function firstBlock(address: string): Promise<bigint> {
    const indexed = await db.channel.findUnique({
      where: { chainId_address: { chainId, address } },
      select: { openedBlock: true },
    })
    return indexed?.openedBlock ?? 0n
  }

  /** The channel's PricesAnnounced logs, read in ranges of at most `maxBlockRange` blocks. */
  async function announcements(address: string) {
    const [from, latest] = await Promise.all([firstBlock(address), client.getBlockNumber()])
    const logs = []
    for (let start = from; start <= latest; start += BigInt(maxBlockRange)) {
      const end = start + BigInt(maxBlockRange) - 1n
      logs.push(
        ...(await client.getContractEvents({
          address: address as Address,
          abi: intermediaryV2Abi,
          eventName: 'PricesAnnounced',
          fromBlock: start,
          toBlock: end < latest ? end : latest,
        })),
      )
    }
    return logs
  }

  async function read(address: string, lastTokenId: bigint) {
    try {
      const logs = await announcements(address)
      const byId = new Map<bigint, PriceTable>()
      for (const log of logs) {
        const { fromTokenId, prices } = log.args as { fromTokenId: bigint; prices: readonly bigint[] }
        byId.set(fromTokenId, { fromTokenId, prices }) // a later log of the same ID replaces (a reorg's)
      }
      const tables = [...byId.values()].sort((a, b) => (a.fromTokenId < b.fromTokenId ? -1 : 1))
      await save(address, tables)
      const entry = { tables, upTo: lastTokenId }
      known.set(address, entry)
      return entry
    } catch (error) {
      throw new DependencyError({
        code: 'chain_unavailable',
        message: `The chain node did not return the price tables of channel ${address}.`,
        cause: error,
      })
    }
  }

  return {
    /**
     * The price table of `tokenId` (at most `lastTokenId`, the channel's last ID as last read),
     * or null when the channel announced none for it.
     */
    async tableOf(channel: string, tokenId: bigint, lastTokenId: bigint): Promise<readonly bigint[] | null> {
      const address = channel.toLowerCase()
      let entry = known.get(address)
      if (!entry || tokenId > entry.upTo) {
        let pending = reading.get(address)
        if (!pending) {
          pending = read(address, lastTokenId > tokenId ? lastTokenId : tokenId).finally(() =>
            reading.delete(address),
          )
          reading.set(address, pending)
        }
        entry = await pending
      }
      return tableFor(entry.tables, tokenId)
    },

    /** Every table known of a channel (as last read), ascending. */
    tables(channel: string): readonly PriceTable[] {
      return known.get(channel.toLowerCase())?.tables ?? []
    },

    /** Records a channel's opening table (token ID 1), seen in the receipt that opened it. */
    async opened(channel: string, prices: readonly bigint[]): Promise<void> {
      const address = channel.toLowerCase()
      const tables = [{ fromTokenId: 1n, prices }]
      await save(address, tables)
      if (!known.has(address)) known.set(address, { tables, upTo: 1n })
    },

    /**
     * Records a table announced in a mined receipt (the row is what lets a reorg that drops the
     * announcement give it back, see {@link unannounced}); the cache is read again.
     */
    async announced(channel: string, fromTokenId: bigint, prices: readonly bigint[]): Promise<void> {
      const address = channel.toLowerCase()
      await save(address, [{ fromTokenId, prices }])
      known.delete(address)
    },

    /**
     * After a reorg or a drop: forgets the tables of token IDs past `lastTokenId`, the chain's
     * last ID now (their announcement is no longer on the chain), rows and cache, so no instance
     * signs or accepts at prices the chain does not have; the newest such table's prices, or null.
     */
    async unannounced(channel: string, lastTokenId: bigint): Promise<readonly bigint[] | null> {
      const address = channel.toLowerCase()
      const where = { chainId, channel: address, fromTokenId: { gt: lastTokenId.toString() } }
      const rows = await db.paymentPriceTable.findMany({ where, orderBy: { fromTokenId: 'desc' } })
      await db.paymentPriceTable.deleteMany({ where })
      known.delete(address)
      return rows[0] ? rows[0].prices.map(bigintOf) : null
    },

    /** Forgets what was read (a chain reset, or an announcement this process made). */
    forget(channel?: string): void {
      if (channel) known.delete(channel.toLowerCase())
      else known.clear()
    },
  }
}

export type PriceTables = ReturnType<typeof createPriceTables>
