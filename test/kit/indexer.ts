import type { Abi, Account, Address, Hex } from 'viem'
import { intermediaryAbi } from '../../contracts/generated'
import { Indexer, type IndexerOptions } from '../../indexer/indexer'
import { createStore } from '../../indexer/store'
import { type ChannelState, channelStateFields } from '../../lib/channel'
import type { Db } from '../../lib/server/db/client'
import { createLogger, type Logger } from '../../lib/server/log'
import { signTokenNative } from '../../lib/server/tokenCrypto'
import type { TestChain } from './chain'
import type { ChannelTestbed } from './testbed'

/** A factory deployment as the indexer is given it. */
export type FactoryDeployment = { address: Address; blockNumber: bigint }

/** The testbed's factory and its block, as the indexer is given them. */
export function deploymentOf(t: ChannelTestbed): FactoryDeployment {
  return { address: t.factory, blockNumber: t.factoryBlock }
}

/** A logger that keeps every line (tests assert on the reorg and reset messages). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const make = (component: string): Logger => ({
    debug: (m) => lines.push(`[${component}] debug: ${m}`),
    info: (m) => lines.push(`[${component}] ${m}`),
    warn: (m) => lines.push(`[${component}] warn: ${m}`),
    error: (m) => lines.push(`[${component}] error: ${m}`),
    child: (name) => make(name),
  })
  return Object.assign(make('indexer'), { lines })
}

/** Where the indexer finds its factory: a deployment, or one looked up on every call (null: none yet). */
type FactorySource = FactoryDeployment | (() => FactoryDeployment | null)

/**
 * An indexer on the test chain and database, for a factory at a known block: the testbed's own
 * unless `factory` says otherwise (a plain TestChain must say); with `factoryV2`, a v2 factory
 * followed beside it.
 */
export function testIndexer(
  p: ({ chain: ChannelTestbed; factory?: FactorySource } | { chain: TestChain; factory: FactorySource }) & {
    db: Db
    log?: Logger
    factoryV2?: FactorySource
  } & Partial<IndexerOptions>,
): Indexer {
  const { chain, db, factory = deploymentOf(p.chain as ChannelTestbed), factoryV2, log, ...options } = p
  const resolve = (source: FactorySource | undefined) => async () => {
    const f = typeof source === 'function' ? source() : source
    return f ? { address: f.address.toLowerCase() as Hex, blockNumber: f.blockNumber } : null
  }
  return new Indexer({
    db,
    rpcUrl: chain.url,
    resolveFactory: resolve(factory),
    resolveFactoryV2: factoryV2 && resolve(factoryV2),
    log: log ?? createLogger({ level: 'error', component: 'indexer' }),
    pollMs: 20,
    ...options,
  })
}

/**
 * Every indexed row of a chain, in a stable order and as plain JSON (uint256 as strings), for
 * row-for-row comparisons between runs. Progress bookkeeping (timestamps, counters of past
 * reorgs and resets) is left out; the cursor and event count are in.
 */
export async function indexedRows(db: Db, chainId: number) {
  const q = (sql: string) => db.$queryRawUnsafe<Record<string, unknown>[]>(sql, chainId)
  const rows = {
    blocks: await q(`SELECT * FROM "block" WHERE "chain_id" = $1 ORDER BY "number"`),
    transactions: await q(
      `SELECT * FROM "transaction" WHERE "chain_id" = $1 ORDER BY "block_number", "tx_index"`,
    ),
    events: await q(`SELECT * FROM "event" WHERE "chain_id" = $1 ORDER BY "block_number", "log_index"`),
    channels: await q(`SELECT * FROM "channel" WHERE "chain_id" = $1 ORDER BY "address"`),
    state: await q(
      `SELECT "factory_address", "factory_block", "cursor_number", "cursor_hash", "events_indexed" FROM "indexer_state" WHERE "chain_id" = $1`,
    ),
  }
  return JSON.parse(
    JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
  ) as typeof rows
}

/**
 * The indexed state of a channel in the contract's own terms (compare with `readChannelState`
 * from lib/channel.ts), read through the indexer's own loader; null when it is not indexed.
 */
export async function indexedChannelState(
  db: Db,
  chainId: number,
  address: Address,
): Promise<ChannelState | null> {
  const channel = (await createStore({ db, chainId }).loadChannels()).get(address.toLowerCase())
  if (!channel) return null
  const keys = ['address', ...channelStateFields] as const
  return Object.fromEntries(keys.map((k) => [k, channel[k]])) as ChannelState
}

/** Polls `check` every 20 ms until it holds; throws `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  { timeoutMs = 30_000, what = 'condition' }: { timeoutMs?: number; what?: string } = {},
): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * Sends a channel (or factory) call with a fixed gas limit, so a call that reverts is mined
 * instead of failing estimation, and returns its receipt whatever the status.
 */
export async function sendCall(
  chain: TestChain,
  p: {
    account: Account
    address: Address
    abi?: Abi
    functionName: string
    args?: readonly unknown[]
    value?: bigint
  },
) {
  const hash = await chain.wallet(p.account).writeContract({
    address: p.address,
    abi: p.abi ?? intermediaryAbi,
    functionName: p.functionName,
    args: p.args ?? [],
    value: p.value,
    gas: 500_000n,
  } as never)
  return chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
}

/**
 * A history of several channels through the testbed's factory: deposits, redemptions with real
 * tokens, withdrawals, failing calls, terminations, and `emptyBlocks` empty blocks after each
 * round (a longer chain for the same events). Returns the channels and the failed transactions.
 */
export async function buildChannelHistory(
  chain: ChannelTestbed,
  { rounds = 3, emptyBlocks = 0 }: { rounds?: number; emptyBlocks?: number } = {},
) {
  const a = chain.accounts
  const parties = [
    { consumer: a[1]!, provider: a[2]!, key: chain.keys[1] },
    { consumer: a[2]!, provider: a[1]!, key: chain.keys[2] },
    { consumer: a[3]!, provider: a[4]!, key: chain.keys[3] },
  ]
  const channels: Address[] = []
  for (const [i, p] of parties.entries()) {
    const { channel } = await chain.openChannel({
      consumer: p.consumer,
      provider: p.provider.address,
      value: BigInt(i) * 10_000n,
      costPerRequest: BigInt(10 ** i),
    })
    channels.push(channel)
  }
  const failed: Hex[] = []
  for (let round = 0; round < rounds; round++) {
    for (const [i, p] of parties.entries()) {
      const address = channels[i]!
      await sendCall(chain, {
        account: p.consumer,
        address,
        functionName: 'deposit',
        value: 1_000n * BigInt(round + 1),
      })
      await sendCall(chain, {
        account: p.provider,
        address,
        functionName: 'startRedemption',
        args: [BigInt(round + 2)],
      })
    }
    await chain.advanceTime(61)
    for (const [i, p] of parties.entries()) {
      const address = channels[i]!
      const token = signTokenNative({
        privateKey: p.key,
        chainId: chain.chain.id,
        channel: address,
        tokenId: BigInt(round + 1),
        requests: BigInt(round + i + 1),
      })
      await sendCall(chain, {
        account: p.provider,
        address,
        functionName: 'redeem',
        args: [BigInt(round + i + 1), token.signature],
      })
      await sendCall(chain, { account: p.provider, address, functionName: 'withdraw' })
    }
    // A stranger's deposit and an early consumer withdrawal: both revert.
    for (const [account, functionName, value] of [
      [a[5]!, 'deposit', 1n],
      [parties[round % 3]!.consumer, 'withdraw', undefined],
    ] as const) {
      const receipt = await sendCall(chain, { account, address: channels[round % 3]!, functionName, value })
      if (receipt.status !== 'reverted') throw new Error(`${functionName} did not revert`)
      failed.push(receipt.transactionHash)
    }
    if (emptyBlocks > 0) await chain.testClient.mine({ blocks: emptyBlocks })
  }
  const [first, second] = parties
  await sendCall(chain, { account: first!.consumer, address: channels[0]!, functionName: 'startTermination' })
  await sendCall(chain, { account: first!.provider, address: channels[0]!, functionName: 'terminate' })
  await sendCall(chain, { account: first!.consumer, address: channels[0]!, functionName: 'withdraw' })
  await sendCall(chain, { account: second!.provider, address: channels[1]!, functionName: 'terminate' })
  return { channels, failed }
}

/**
 * Indexed rows whose block is not the node's block at that number: what an orphaned branch or
 * a reset chain would leave behind. Empty when the index only holds the canonical chain.
 */
export async function nonCanonicalRows(db: Db, chain: TestChain) {
  const chainId = chain.chain.id
  const q = (sql: string) =>
    db
      .$queryRawUnsafe<{ number: bigint; hash: string }[]>(sql, chainId)
      .then((rows) => rows.map((r) => ({ number: BigInt(r.number), hash: r.hash })))
  const rows = {
    blocks: await q(`SELECT "number", "hash" FROM "block" WHERE "chain_id" = $1`),
    transactions: await q(
      `SELECT "block_number" AS "number", "block_hash" AS "hash" FROM "transaction" WHERE "chain_id" = $1`,
    ),
    events: await q(
      `SELECT "block_number" AS "number", "block_hash" AS "hash" FROM "event" WHERE "chain_id" = $1`,
    ),
    recent: await q(`SELECT "number", "hash" FROM "recent_block" WHERE "chain_id" = $1`),
  }
  const numbers = [...new Set(Object.values(rows).flatMap((r) => r.map((x) => x.number)))]
  const onNode = new Map<bigint, string | undefined>()
  for (const n of numbers) {
    const block = await chain.publicClient.getBlock({ blockNumber: n }).catch(() => undefined)
    onNode.set(n, block?.hash)
  }
  const stale = (list: { number: bigint; hash: string }[]) =>
    list.filter((r) => onNode.get(r.number) !== r.hash).map((r) => `${r.number}:${r.hash}`)
  return {
    blocks: stale(rows.blocks),
    transactions: stale(rows.transactions),
    events: stale(rows.events),
    recent: stale(rows.recent),
  }
}

/**
 * Whether the indexer has written the node's current head block and says `live` (and, with
 * `clean`, has no error recorded).
 */
export async function isCaughtUp(db: Db, chain: TestChain, { clean = false } = {}): Promise<boolean> {
  const [state, head] = await Promise.all([
    db.indexerState.findUnique({ where: { chainId: chain.chain.id } }),
    chain.publicClient.getBlock(),
  ])
  return state?.cursorHash === head.hash && state.phase === 'live' && (!clean || state.lastError === null)
}

/** The indexer's progress row for the test chain (throws when there is none). */
export function indexerState(db: Db, chainId: number) {
  return db.indexerState.findUniqueOrThrow({ where: { chainId } })
}
