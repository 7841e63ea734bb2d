import fc from 'fast-check'
import { type Address, type Hex, maxUint256, parseEventLogs, type TransactionReceipt } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryAbi } from '../contracts/generated'
import { readChannelState } from '../lib/channel'
import { signTokenNative } from '../lib/server/tokenCrypto'
import { startTestChain, type TestChain } from '../test/kit/chain'
import { createTestDatabase } from '../test/kit/database'
import { indexedChannelState, indexerState, sendCall, testIndexer } from '../test/kit/indexer'
import type { Indexer } from './indexer'

/*
 * Model-free property test of the indexer: random operation sequences over several channels
 * (valid, over-funded and zero-request redemptions, withdrawals and terminations by either
 * party, and calls that revert) run on anvil and are indexed at random points. Whenever the
 * indexer has caught up, every channel's indexed state equals what the contract reports at the
 * cursor block, its totals equal the sums of the events in the receipts, and every transaction
 * sent is indexed with its status. Each run works in an EVM snapshot and a fresh database.
 */

type Role = 'consumer' | 'provider' | 'stranger'

type Op =
  | { kind: 'open'; pair: number; value: bigint; cost: bigint; timeout: bigint; extra: bigint }
  | { kind: 'deposit'; ch: number; by: Role; amount: bigint }
  | { kind: 'startRedemption'; ch: number; by: Role; fresh: boolean; step: number }
  | {
      kind: 'redeem'
      ch: number
      by: Role
      token: 'valid' | 'overfunded' | 'zero' | 'wrongSigner'
      requests: bigint
    }
  | { kind: 'withdraw' | 'startTermination' | 'terminate'; ch: number; by: Role }
  | { kind: 'advance'; seconds: number }
  /** syncToHead(), then check; `restart` indexes with a new Indexer on the same database. */
  | { kind: 'index'; restart: boolean }

type Setup = { maxBlockRange: number; maxBlocksPerRange: number; targetLogs: number }

/** Consumer and provider (account indexes) of the channels a run can open; account 5 is the stranger. */
const PAIRS = [
  [1, 2],
  [2, 1],
  [3, 4],
  [1, 3],
] as const
const STRANGER = 5

let chain: TestChain
let factory: { address: Address; blockNumber: bigint }

beforeAll(async () => {
  chain = await startTestChain()
  const address = await chain.deployFactory()
  factory = { address, blockNumber: await chain.publicClient.getBlockNumber() }
})
afterAll(() => chain?.stop())

const ch = fc.nat(3)
const roleMostly = (main: Role) =>
  fc.oneof(
    { arbitrary: fc.constant(main), weight: 6 },
    { arbitrary: fc.constantFrom<Role>('consumer', 'provider', 'stranger'), weight: 1 },
  )

const openArb = fc.record({
  kind: fc.constant('open' as const),
  pair: fc.nat(PAIRS.length - 1),
  value: fc.oneof(fc.constant(0n), fc.bigInt(1n, 50_000n)),
  cost: fc.constantFrom(1n, 7n, 1_000n),
  timeout: fc.bigInt(1n, 30n),
  extra: fc.oneof(fc.constant(0n), fc.bigInt(1n, 60n)),
})

const indexArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constant('index' as const),
  restart: fc.oneof(
    { arbitrary: fc.constant(false), weight: 3 },
    { arbitrary: fc.constant(true), weight: 1 },
  ),
})

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: openArb },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('deposit' as const),
      ch,
      by: roleMostly('consumer'),
      amount: fc.oneof(
        { arbitrary: fc.constant(0n), weight: 1 },
        { arbitrary: fc.bigInt(1n, 20_000n), weight: 6 },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('startRedemption' as const),
      ch,
      by: roleMostly('provider'),
      fresh: fc.oneof(
        { arbitrary: fc.constant(true), weight: 5 },
        { arbitrary: fc.constant(false), weight: 1 },
      ),
      step: fc.integer({ min: 1, max: 5 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('redeem' as const),
      ch,
      by: roleMostly('provider'),
      token: fc.constantFrom(
        'valid' as const,
        'valid' as const,
        'overfunded' as const,
        'zero' as const,
        'wrongSigner' as const,
      ),
      requests: fc.bigInt(1n, 40n),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('withdraw' as const),
      ch,
      by: fc.constantFrom<Role>('provider', 'provider', 'consumer', 'stranger'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('startTermination' as const), ch, by: roleMostly('consumer') }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('terminate' as const),
      ch,
      by: fc.constantFrom<Role>('consumer', 'provider', 'stranger'),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      seconds: fc.integer({ min: 0, max: 120 }),
    }),
  },
)

/** A redemption that goes through: start it, wait out the timeout, redeem, maybe withdraw. */
const redeemCycleArb: fc.Arbitrary<Op[]> = ch.chain((c) =>
  fc
    .tuple(
      fc.constant<Op>({ kind: 'startRedemption', ch: c, by: 'provider', fresh: true, step: 1 }),
      fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 31, max: 60 }) }),
      fc.record({
        kind: fc.constant('redeem' as const),
        ch: fc.constant(c),
        by: fc.constant('provider' as const),
        token: fc.constantFrom('valid' as const, 'overfunded' as const, 'zero' as const),
        requests: fc.bigInt(1n, 40n),
      }),
      fc.constantFrom<Op[]>([], [{ kind: 'withdraw', ch: c, by: 'provider' }]),
    )
    .map(([start, wait, redeem, withdraw]) => [start, wait, redeem, ...withdraw]),
)

/** The end of a channel: announced termination, its deadline, terminate, both withdraw. */
const endingArb: fc.Arbitrary<Op[]> = fc
  .tuple(ch, fc.constantFrom<Role>('consumer', 'provider'), fc.integer({ min: 151, max: 200 }))
  .map(([c, by, seconds]) => [
    { kind: 'startTermination', ch: c, by: 'consumer' },
    { kind: 'advance', seconds },
    { kind: 'terminate', ch: c, by },
    { kind: 'withdraw', ch: c, by: 'consumer' },
    { kind: 'withdraw', ch: c, by: 'provider' },
  ])

/** Two channels to start with, then up to 35 operations: single ones mixed with whole cycles. */
const opsArb = fc
  .tuple(
    openArb,
    openArb,
    fc.array(
      fc.oneof(
        { arbitrary: opArb.map((op) => [op]), weight: 5 },
        { arbitrary: redeemCycleArb, weight: 2 },
        { arbitrary: endingArb, weight: 1 },
        { arbitrary: indexArb.map((op) => [op]), weight: 2 },
      ),
      { minLength: 4, maxLength: 14 },
    ),
  )
  .map(([a, b, chunks]) => [a, b, ...chunks.flat()].slice(0, 37) as Op[])

const setupArb: fc.Arbitrary<Setup> = fc.record({
  maxBlockRange: fc.constantFrom(1, 3, 10_000),
  maxBlocksPerRange: fc.constantFrom(1, 2, 500),
  targetLogs: fc.constantFrom(1, 5_000),
})

type Channel = { address: Address; consumer: number; provider: number }

/** Totals of a channel as the sums of its events in the receipts (uint256 as decimal strings). */
function totalsFromReceipts(receipts: TransactionReceipt[], channel: Address) {
  const t = {
    deposited: 0n,
    redeemed: 0n,
    requests: 0n,
    withdrawn: 0n,
    redemptions: 0,
    events: 1,
    terminatedBy: null as string | null,
  }
  for (const receipt of receipts) {
    const logs = receipt.logs.filter((l) => l.address.toLowerCase() === channel)
    for (const e of parseEventLogs({ abi: intermediaryAbi, logs })) {
      t.events += 1
      if (e.eventName === 'Deposited') t.deposited += e.args.amount
      if (e.eventName === 'Redeemed') {
        t.redeemed += e.args.amount
        t.requests += e.args.requests
        t.redemptions += 1
      }
      if (e.eventName === 'Withdrawn') t.withdrawn += e.args.amount
      if (e.eventName === 'Terminated') t.terminatedBy = e.args.by.toLowerCase()
    }
  }
  return {
    totalDeposited: t.deposited.toString(),
    totalRedeemed: t.redeemed.toString(),
    totalRequests: t.requests.toString(),
    totalWithdrawn: t.withdrawn.toString(),
    redemptions: t.redemptions,
    eventCount: t.events,
    terminatedBy: t.terminatedBy,
  }
}

async function runSequence(setup: Setup, ops: Op[]) {
  const snapshot = await chain.testClient.snapshot()
  const database = await createTestDatabase()
  try {
    const { db } = database
    const chainId = chain.chain.id
    const newIndexer = (): Indexer => testIndexer({ chain, db, factory, ...setup })
    let indexer = newIndexer()
    const channels: Channel[] = []
    const receipts: TransactionReceipt[] = []
    const account = (c: Channel, role: Role) =>
      chain.accounts[role === 'consumer' ? c.consumer : role === 'provider' ? c.provider : STRANGER]!
    const read = (c: Channel, functionName: 'expiringTokenId' | 'lastTokenId') =>
      chain.publicClient.readContract({ address: c.address, abi: intermediaryAbi, functionName })

    const check = async (step: string) => {
      const head = await chain.publicClient.getBlockNumber()
      const state = await indexerState(db, chainId)
      expect({ step, cursor: state.cursorNumber }).toEqual({ step, cursor: head })
      for (const c of channels) {
        expect({ step, state: await indexedChannelState(db, chainId, c.address) }).toEqual({
          step,
          state: await readChannelState({
            client: chain.publicClient,
            address: c.address,
            blockNumber: state.cursorNumber!,
          }),
        })
        const row = await db.channel.findUniqueOrThrow({
          where: { chainId_address: { chainId, address: c.address } },
        })
        expect({
          step,
          totalDeposited: row.totalDeposited.toFixed(),
          totalRedeemed: row.totalRedeemed.toFixed(),
          totalRequests: row.totalRequests.toFixed(),
          totalWithdrawn: row.totalWithdrawn.toFixed(),
          redemptions: row.redemptions,
          eventCount: row.eventCount,
          terminatedBy: row.terminatedBy,
        }).toEqual({ step, ...totalsFromReceipts(receipts, c.address) })
      }
      expect(await db.channel.count({ where: { chainId } }), step).toBe(channels.length)
      // Every transaction sent is there with its status, failed ones included; nothing else.
      const txs = await db.transaction.findMany({
        where: { chainId, blockNumber: { gt: factory.blockNumber } },
        orderBy: [{ blockNumber: 'asc' }, { txIndex: 'asc' }],
        select: { hash: true, status: true },
      })
      expect({ step, txs }).toEqual({
        step,
        txs: receipts.map((r) => ({ hash: r.transactionHash, status: r.status })),
      })
      const logs = receipts.flatMap((r) => r.logs).length
      expect({ step, events: state.eventsIndexed }).toEqual({ step, events: BigInt(logs) })
    }

    for (const [index, op] of ops.entries()) {
      const step = `#${index} ${JSON.stringify(op, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`
      if (op.kind === 'open') {
        const [consumer, provider] = PAIRS[op.pair]!
        const { channel, receipt } = await chain.openChannel({
          factory: factory.address,
          consumer: chain.accounts[consumer]!,
          provider: chain.accounts[provider]!.address,
          value: op.value,
          costPerRequest: op.cost,
          redemptionTimeout: op.timeout,
          terminationTimeout: 3n * op.timeout + op.extra,
        })
        channels.push({ address: channel, consumer, provider })
        receipts.push(receipt)
        continue
      }
      if (op.kind === 'advance') {
        await chain.advanceTime(op.seconds)
        continue
      }
      if (op.kind === 'index') {
        if (op.restart) indexer = newIndexer()
        await indexer.syncToHead()
        await check(step)
        continue
      }
      const c = channels[op.ch % channels.length]!
      const by = account(c, op.by)
      let args: readonly unknown[] = []
      let value: bigint | undefined
      if (op.kind === 'deposit') value = op.amount
      if (op.kind === 'startRedemption') {
        const last = await read(c, 'lastTokenId')
        args = [op.fresh ? last + BigInt(op.step) : last]
      }
      if (op.kind === 'redeem') {
        const tokenId = await read(c, 'expiringTokenId')
        const requests =
          op.token === 'zero'
            ? 0n
            : op.token === 'overfunded'
              ? maxUint256 - BigInt(op.requests)
              : op.requests
        let signature: Hex = '0x'
        if (requests !== 0n) {
          const signer = op.token === 'wrongSigner' ? c.provider : c.consumer
          signature = signTokenNative({
            privateKey: chain.keys[signer]!,
            chainId,
            channel: c.address,
            tokenId,
            requests,
          }).signature
        }
        args = [requests, signature]
      }
      receipts.push(
        await sendCall(chain, { account: by, address: c.address, functionName: op.kind, args, value }),
      )
    }
    await indexer.syncToHead()
    await check('end')
  } finally {
    await database.drop()
    await chain.testClient.revert({ id: snapshot })
  }
}

describe('indexer against random channel operations', () => {
  it('keeps every channel equal to the contract and its totals equal to the receipts, indexed at random points', async () => {
    await fc.assert(fc.asyncProperty(setupArb, opsArb, runSequence), {
      numRuns: 25,
      // A failure shrinks (each run takes about a second); stop shrinking at some point.
      interruptAfterTimeLimit: 100_000,
      markInterruptAsFailure: true,
    })
  }, 150_000)

  it('a channel redeeming tokens of 2^256-1 requests over and over does not stop the indexer', async () => {
    // Anyone can open a channel between two of their own accounts and redeem unfunded tokens
    // with huge request counts (they pay nothing: the amount is capped at the funds, 0 here).
    // total_requests sums them: nine reach 1.04e78, past NUMERIC(78,0).
    const snapshot = await chain.testClient.snapshot()
    const { db, drop } = await createTestDatabase()
    try {
      const [, consumer, provider] = chain.accounts
      const { channel } = await chain.openChannel({
        factory: factory.address,
        consumer: consumer!,
        provider: provider!.address,
        redemptionTimeout: 1n,
        terminationTimeout: 3n,
      })
      for (let tokenId = 1n; tokenId <= 9n; tokenId++) {
        const token = signTokenNative({
          privateKey: chain.keys[1],
          chainId: chain.chain.id,
          channel,
          tokenId,
          requests: maxUint256,
        })
        const call = (functionName: string, args: unknown[]) =>
          sendCall(chain, { account: provider!, address: channel, functionName, args })
        expect((await call('startRedemption', [tokenId + 1n])).status).toBe('success')
        await chain.advanceTime(2)
        expect((await call('redeem', [maxUint256, token.signature])).status).toBe('success')
      }
      await testIndexer({ chain, db, factory }).syncToHead()
      expect(await indexedChannelState(db, chain.chain.id, channel)).toEqual(
        await readChannelState({ client: chain.publicClient, address: channel }),
      )
      const row = await db.channel.findUniqueOrThrow({
        where: { chainId_address: { chainId: chain.chain.id, address: channel } },
      })
      expect(row.totalRequests.toFixed()).toBe((9n * maxUint256).toString())
      expect(row.redemptions).toBe(9)
    } finally {
      await drop()
      await chain.testClient.revert({ id: snapshot })
    }
  })
})
