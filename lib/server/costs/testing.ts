import { type Address, parseEther, parseGwei } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { expect } from 'vitest'
import { ANVIL_KEYS } from '../../../stack/anvil'
import { createTestDatabase } from '../../../test/kit/database'
import { sendCall, testIndexer } from '../../../test/kit/indexer'
import { startChannelTestbed } from '../../../test/kit/testbed'
import { bigintOf } from '../../columns/kinds'
import type { CostGraph } from '../../costs/api'
import { createChainClient } from '../chain'
import type { ServerContext } from '../context'
import { env } from '../env'
import { signTokenNative } from '../tokenCrypto'

/*
 * The costs suites' fixture (costs*.test.ts) on a real anvil, the real indexer and a real
 * Postgres (with the rollup triggers of prisma/migrations/0004_costs): the thesis example
 * (section 3.4), where alice and bob call charlie at 10 gwei per request and charlie calls dave
 * at 5 gwei.
 *
 *   alice → charlie: 30 requests = 300 gwei   (redeemed at T1)
 *   bob   → charlie: 10 requests = 100 gwei   (redeemed at T2 = T1 + >1 h)
 *   charlie → dave:  20 requests = 100 gwei   (redeemed at T3 = T2 + >2 days)
 *
 * The redemptions are more than an hour and then more than two days apart, so windows with
 * edges inside hours and days are summed from raw events, the hourly and the daily rollup.
 */

// env() parses process.env once, on first use: set the label admin (anvil account 5) and the
// team admin key before any suite importing this module calls it (no imported module does at
// import).
export const LABEL_ADMIN = privateKeyToAccount(ANVIL_KEYS[5]).address
export const ADMIN_KEY = 'costs-test-admin-key-'.padEnd(40, 'x')
process.env.LABEL_ADMINS = LABEL_ADMIN
process.env.PAYMENT_ADMIN_KEY = ADMIN_KEY

export const GWEI = 10n ** 9n
export const HOUR = 3_600
export const DAY = 86_400
export const DEPOSIT = parseEther('0.01')

export type Name = 'alice' | 'bob' | 'charlie' | 'dave'
export const TEAMS: Record<Name, string> = {
  alice: 'apps',
  bob: 'apps',
  charlie: 'platform',
  dave: 'storage',
}

export type Pair = 'ac' | 'bc' | 'cd'
/** Each redemption: channel, block, time, amount, requests. */
export type Redemption = { channel: Address; block: bigint; time: number; amount: bigint; requests: bigint }

export type CostsTestbed = Awaited<ReturnType<typeof startCostsTestbed>>

/**
 * The thesis example, redeemed on chain and indexed, with the Payment Server's services. With
 * `settled`, the redemptions are then buried deeper than the finality depth (see `settle()`);
 * with `pending`, the Payment Server has accepted tokens it has not redeemed (see `addPending()`).
 * `stop()` drops the database and stops the chain.
 */
export async function startCostsTestbed({ settled = false, pending = false } = {}) {
  const chain = await startChannelTestbed()
  let dropDatabase = async () => {}
  try {
    const database = await createTestDatabase()
    dropDatabase = () => database.drop()
    const db = database.db
    const { factory } = chain
    const chainId = chain.chain.id
    const accounts = {
      alice: chain.accounts[1]!,
      bob: chain.accounts[2]!,
      charlie: chain.accounts[3]!,
      dave: chain.accounts[4]!,
    }
    const addr = {} as Record<Name, Address>
    for (const name of Object.keys(accounts) as Name[])
      addr[name] = accounts[name].address.toLowerCase() as Address
    /** The three channels, by pair. */
    const ch = {} as Record<Pair, Address>
    /** Block timestamp each channel was opened at. */
    const openedAt = {} as Record<Pair, number>
    const redeemed = {} as Record<Pair, Redemption>
    const serviceId = {} as Record<Name, number>

    const pairs = {
      ac: {
        consumer: 'alice',
        provider: 'charlie',
        price: parseGwei('10'),
        requests: 30n,
        key: chain.keys[1],
      },
      bc: { consumer: 'bob', provider: 'charlie', price: parseGwei('10'), requests: 10n, key: chain.keys[2] },
      cd: { consumer: 'charlie', provider: 'dave', price: parseGwei('5'), requests: 20n, key: chain.keys[3] },
    } as const
    const keys = Object.keys(pairs) as Array<keyof typeof pairs>
    for (const k of keys) {
      const p = pairs[k]
      const opened = await chain.openChannel({
        consumer: accounts[p.consumer],
        provider: accounts[p.provider].address,
        value: DEPOSIT,
        costPerRequest: p.price,
        redemptionTimeout: 60n,
        terminationTimeout: 600n,
      })
      ch[k] = opened.channel
      openedAt[k] = Number(
        (await chain.publicClient.getBlock({ blockNumber: opened.receipt.blockNumber })).timestamp,
      )
    }
    for (const k of keys) {
      const receipt = await sendCall(chain, {
        account: accounts[pairs[k].provider],
        address: ch[k],
        functionName: 'startRedemption',
        args: [2n],
      })
      expect(receipt.status).toBe('success')
    }
    await chain.advanceTime(61)
    // Over an hour between the first two redemptions, over two days before the third.
    const gaps = { ac: 3_700, bc: 2 * DAY + 7_300, cd: 0 }
    for (const k of keys) {
      const p = pairs[k]
      const token = signTokenNative({
        privateKey: p.key,
        chainId,
        channel: ch[k],
        tokenId: 1n,
        requests: p.requests,
      })
      const receipt = await sendCall(chain, {
        account: accounts[p.provider],
        address: ch[k],
        functionName: 'redeem',
        args: [p.requests, token.signature],
      })
      expect(receipt.status).toBe('success')
      const block = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })
      redeemed[k] = {
        channel: ch[k],
        block: receipt.blockNumber,
        time: Number(block.timestamp),
        amount: p.requests * p.price,
        requests: p.requests,
      }
      if (gaps[k] > 0) await chain.advanceTime(gaps[k])
    }

    // The Payment Server's services; the trigger labels their addresses (dave's given mixed-case).
    for (const [i, name] of (['alice', 'bob', 'charlie', 'dave'] as const).entries()) {
      const created = await db.paymentService.create({
        data: {
          name,
          team: TEAMS[name],
          address: name === 'dave' ? accounts.dave.address : addr[name],
          keySource: 'env',
          keyEnv: `${name.toUpperCase()}_KEY`,
          apiKeyHash: Buffer.alloc(32, i + 1),
          apiKeyPrefix: `psk_${name}_x`,
        },
      })
      serviceId[name] = created.id
    }

    const indexer = testIndexer({ chain, db, factory: { address: factory, blockNumber: chain.factoryBlock } })
    await indexer.syncToHead()
    const ctx: ServerContext = { db, chain: createChainClient({ rpcUrl: chain.url }), rpcUrl: chain.url }

    /** The newest indexed block and its time: the costs' "now". */
    async function indexedHead(): Promise<{ block: bigint; now: number }> {
      const state = await db.indexerState.findUniqueOrThrow({ where: { chainId } })
      return { block: state.cursorNumber!, now: Number(state.cursorTimestamp) }
    }

    /** Mines past the finality depth and indexes: no redemption is unconfirmed any more. */
    async function settle() {
      const depth = env().INDEXER_FINALITY_DEPTH
      // One second apart: anvil gives blocks mined at once the same timestamp, and the suites
      // need the chain's time past the last redemption.
      await chain.testClient.mine({ blocks: depth + 1, interval: 1 })
      await indexer.syncToHead()
    }

    /**
     * The Payment Server's channels alice → charlie and bob → charlie, and tokens it accepted:
     * 4 requests (40 gwei) pending on alice's active token ID; the redeemed token ID and bob's
     * redeemed token are not pending.
     */
    async function addPending() {
      const channel = await db.channel.findUniqueOrThrow({
        where: { chainId_address: { chainId, address: ch.ac } },
      })
      const activeTokenId = bigintOf(channel.activeTokenId)
      expect(activeTokenId).toBe(2n)
      expect(channel.expiringTokenId.toFixed()).toBe('0')
      const paymentChannel = (k: 'ac' | 'bc', consumer: Name) => ({
        chainId,
        address: ch[k],
        consumer: addr[consumer],
        provider: addr.charlie,
        consumerServiceId: serviceId[consumer],
        providerServiceId: serviceId.charlie,
        costPerRequest: parseGwei('10').toString(),
        redemptionTimeout: 60n,
        terminationTimeout: 600n,
      })
      await db.paymentChannel.createMany({
        data: [paymentChannel('ac', 'alice'), paymentChannel('bc', 'bob')],
      })
      const accepted = (
        k: 'ac' | 'bc',
        tokenId: bigint,
        highest: number,
        redeemedAt: Date | null = null,
      ) => ({
        chainId,
        channel: ch[k],
        tokenId: tokenId.toString(),
        highest: String(highest),
        signature: `0x${'11'.repeat(65)}`,
        counts: {},
        redeemedAt,
      })
      await db.paymentAccepted.createMany({
        data: [
          accepted('ac', activeTokenId, 4), // counts: 4 × 10 gwei
          accepted('ac', 1n, 9), // the redeemed token ID, neither active nor expiring: not pending
          accepted('bc', activeTokenId, 6, new Date()), // redeemed: not pending
        ],
      })
    }

    /** charlie → dave's next token ID to announce (the fixture redeemed token ID 1 and announced 2). */
    let nextTokenId = 3n
    /**
     * Mines a redemption of charlie → dave's channel without indexing it: dave announces the
     * next token ID, waits out the redemption timeout and redeems `requests` of the active one
     * at 5 gwei. Returns its block.
     */
    async function mineRedemption(requests: bigint): Promise<bigint> {
      const dave = chain.accounts[4]!
      const active = nextTokenId - 1n
      const started = await sendCall(chain, {
        account: dave,
        address: ch.cd,
        functionName: 'startRedemption',
        args: [nextTokenId++],
      })
      expect(started.status).toBe('success')
      await chain.advanceTime(61)
      const token = signTokenNative({
        privateKey: chain.keys[3],
        chainId,
        channel: ch.cd,
        tokenId: active,
        requests,
      })
      const receipt = await sendCall(chain, {
        account: dave,
        address: ch.cd,
        functionName: 'redeem',
        args: [requests, token.signature],
      })
      expect(receipt.status).toBe('success')
      return receipt.blockNumber
    }

    if (settled) await settle()
    if (pending) await addPending()

    return {
      chain,
      chainId,
      database,
      db,
      ctx,
      factory,
      indexer,
      addr,
      ch,
      openedAt,
      redeemed,
      serviceId,
      indexedHead,
      settle,
      addPending,
      mineRedemption,
      edgeOf: (g: CostGraph, consumer: Name, provider: Name) =>
        g.edges.find((e) => e.consumer === addr[consumer] && e.provider === addr[provider]),
      nodeOf: (g: CostGraph, name: Name) => g.nodes.find((n) => n.address === addr[name]),
      stop: async () => {
        await database.drop()
        await chain.stop()
      },
    }
  } catch (error) {
    // Setup failed halfway: the suite's afterAll has no testbed to stop, so stop what started.
    await Promise.allSettled([dropDatabase(), chain.stop()])
    throw error
  }
}
