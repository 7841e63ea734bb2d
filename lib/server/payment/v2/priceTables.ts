import type { Address, PublicClient } from 'viem'
import { intermediaryV2Abi } from '../../../../contracts/generated'
import { bigintOf } from '../../../columns/kinds'
import { DependencyError } from '../../../errors'
import type { Db } from '../../db/client'
import type { Logger } from '../../log'
import { type Mismatch, mismatchOf, type PriceTable, readChainTables, tableFor } from './priceTableCheck'

export { type PriceTable, pricesHashOf, tableFor } from './priceTableCheck'

/**
 * What is known of a channel's tables: every table read, and the highest ID whose table was
 * checked against the contract's hashes or is older than one that was (`checkedThrough`: the
 * chain's last ID at that check; a token ID's version never changes once assigned).
 */
type Entry = {
  tables: PriceTable[]
  checkedThrough: bigint
  /** Until when (performance.now() ms) a check found the node behind an ID asked for: none again before. */
  behindUntil?: number
}

/**
 * How long an ID the node has not assigned yet (a node behind the caller's state: another
 * node of a load balancer) is refused before its node is asked again; one block or less.
 */
const BEHIND_RETRY_MS = 500

const maxOf = (a: bigint, b: bigint) => (a > b ? a : b)

/**
 * The price tables of version 2 channels per token ID, as the chain's `PricesAnnounced` events
 * say (the contract stores only their hashes): read from the node when a token ID past what is
 * known is asked for, kept in memory and recorded in `payment_price_table`. A token ID's table
 * never changes once the ID is active (IntermediaryV2), so what was read for IDs up to the
 * channel's last ID stays true; a later ID is read again, once.
 *
 * What was read is checked against the contract: the tables of its active and expiring token
 * IDs must hash to `pricesHash` of the versions `priceVersions()` names, all read at the block
 * the logs were read up to. A wrong opening block in the index, or a node that drops logs,
 * would otherwise leave an announcement out, and tokens would be signed and accepted at old
 * prices the contract refuses at redemption. On a mismatch the logs are read again from block
 * 0, once; if they still disagree the channel's calls fail with 503 `price_table_mismatch`.
 * The check costs calls only when tables are read or an ID past the checked ones is first
 * asked for, never per token.
 */
export function createPriceTables({
  db,
  client,
  chainId,
  maxBlockRange = 10_000,
  log,
}: {
  db: Db
  client: PublicClient
  chainId: number
  /** Most blocks one eth_getLogs spans (public nodes refuse wider ranges); default 10,000. */
  maxBlockRange?: number
  /** Where a mismatch is reported (warn, once per channel until its tables agree again). */
  log?: Logger
}) {
  const known = new Map<string, Entry>()
  const reading = new Map<string, Promise<Entry>>()
  const warned = new Set<string>()

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

  /** `work`, its failures as the node's (the caller may serve from what it has). */
  async function fromNode<T>(address: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw new DependencyError({
        code: 'chain_unavailable',
        message: `The chain node did not return the price tables of channel ${address}.`,
        cause: error,
      })
    }
  }

  /** The channel's tables from its PricesAnnounced logs `from`..`to`, in ranges of at most `maxBlockRange` blocks. */
  async function announcements(address: string, from: bigint, to: bigint): Promise<PriceTable[]> {
    const byId = new Map<bigint, PriceTable>()
    for (let start = from; start <= to; start += BigInt(maxBlockRange)) {
      const end = start + BigInt(maxBlockRange) - 1n
      const logs = await client.getContractEvents({
        address: address as Address,
        abi: intermediaryV2Abi,
        eventName: 'PricesAnnounced',
        fromBlock: start,
        toBlock: end < to ? end : to,
      })
      for (const log of logs) {
        const { fromTokenId, prices } = log.args as { fromTokenId: bigint; prices: readonly bigint[] }
        byId.set(fromTokenId, { fromTokenId, prices }) // a later log of the same ID replaces (a reorg's)
      }
    }
    return [...byId.values()].sort((a, b) => (a.fromTokenId < b.fromTokenId ? -1 : 1))
  }

  /** The contract's tables and the logs' from block `from`, both at the node's latest block. */
  function readAt(address: string, from: bigint) {
    return fromNode(address, async () => {
      const blockNumber = await client.getBlockNumber({ cacheTime: 0 })
      const [chain, tables] = await Promise.all([
        readChainTables(client, address, blockNumber),
        announcements(address, from, blockNumber),
      ])
      return { chain, tables }
    })
  }

  /** Refuses the channel's tables (logged once while they disagree). */
  function refuse(address: string, m: Mismatch): never {
    const message =
      `The price table of token ID ${m.tokenId} of channel ${address} is not the contract's: ` +
      `the node's PricesAnnounced logs give a table hashing to ${m.found ?? 'nothing (none announced)'}, ` +
      `the contract holds ${m.hash} (price version ${m.version}); no token of it is signed or accepted until they agree.`
    if (!warned.has(address)) {
      warned.add(address)
      log?.warn(message, { channel: address, tokenId: m.tokenId.toString(), version: m.version.toString() })
    }
    throw new DependencyError({ code: 'price_table_mismatch', message })
  }

  /**
   * Reads the channel's tables from its opening block as indexed, checks them against the
   * contract and, on a mismatch, reads them again from block 0 (the index's block may be wrong,
   * the node may have dropped a log); refuses them when they still disagree.
   */
  async function read(address: string): Promise<Entry> {
    let { chain, tables } = await readAt(address, await firstBlock(address))
    let mismatch = mismatchOf(tables, chain)
    if (mismatch) {
      ;({ chain, tables } = await readAt(address, 0n))
      mismatch = mismatchOf(tables, chain)
    }
    if (mismatch) refuse(address, mismatch)
    warned.delete(address)
    await save(address, tables)
    const entry = { tables, checkedThrough: chain.lastTokenId }
    known.set(address, entry)
    return entry
  }

  /**
   * Checks the tables read before against the contract now, for an ID the last check did not
   * cover (it became active since); reads them again on a mismatch. An ID the node does not
   * have yet (a node behind the state the caller read) stays unchecked, so it is checked again.
   */
  async function recheck(address: string, entry: Entry): Promise<Entry> {
    const chain = await fromNode(address, async () =>
      readChainTables(client, address, await client.getBlockNumber({ cacheTime: 0 })),
    )
    if (mismatchOf(entry.tables, chain)) return read(address)
    entry.checkedThrough = maxOf(entry.checkedThrough, chain.lastTokenId)
    return entry
  }

  /** The refusal of an ID the node has not assigned yet (503, retryable: it catches up). */
  const behind = (address: string, tokenId: bigint, entry: Entry) =>
    new DependencyError({
      code: 'chain_unavailable',
      message: `The chain node has not seen token ID ${tokenId} of channel ${address} yet (its last is ${entry.checkedThrough}); its price table is not known, try again in a moment.`,
    })

  /** One read or check per channel at a time; callers meanwhile wait for it. */
  function once(address: string, work: () => Promise<Entry>): Promise<Entry> {
    let pending = reading.get(address)
    if (!pending) {
      pending = work().finally(() => reading.delete(address))
      reading.set(address, pending)
    }
    return pending
  }

  return {
    /**
     * The price table of `tokenId` (an ID the caller saw assigned on chain), or null when the
     * channel announced none for it. Throws a DependencyError `chain_unavailable` when the node
     * does not answer or has not assigned `tokenId` yet (it is behind the caller's state),
     * `price_table_mismatch` when what it answers is not the contract's tables.
     */
    async tableOf(channel: string, tokenId: bigint): Promise<readonly bigint[] | null> {
      const address = channel.toLowerCase()
      let entry = known.get(address)
      if (!entry) {
        entry = await once(address, () => read(address))
      } else if (tokenId > entry.checkedThrough) {
        const cached = entry
        if ((cached.behindUntil ?? 0) > performance.now()) throw behind(address, tokenId, cached)
        entry = await once(address, () => recheck(address, cached))
      }
      // The node has not assigned the ID at the block read: its logs may lack the ID's
      // announcement, so the table found for it could be an older ID's. Refused, not guessed.
      if (tokenId > entry.checkedThrough) {
        entry.behindUntil = performance.now() + BEHIND_RETRY_MS
        throw behind(address, tokenId, entry)
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
      // The receipt of the opening is the contract's own event: ID 1's table needs no check.
      if (!known.has(address)) known.set(address, { tables, checkedThrough: 1n })
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
