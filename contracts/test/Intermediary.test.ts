import {
  type Abi,
  type Address,
  getAddress,
  type Hex,
  keccak256,
  type LocalAccount,
  maxUint256,
  parseEventLogs,
  type TransactionReceipt,
  toBytes,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readChannelState } from '../../lib/channel'
import { signToken, tokenDigest } from '../../lib/token'
import { startTestChain, type TestChain } from '../../test/kit/chain'
import { intermediaryAbi } from '../generated'

/*
 * Contract tests of Intermediary: the full life cycle with exact state and event arguments, and
 * every revert of every function with its decoded custom error and arguments.
 */

const COST = 1_000n
const REDEMPTION_TIMEOUT = 60n
const TERMINATION_TIMEOUT = 600n

type Fn = 'deposit' | 'startRedemption' | 'redeem' | 'withdraw' | 'startTermination' | 'terminate'

let t: TestChain
let factory: Address
let consumer: LocalAccount
let provider: LocalAccount
let stranger: LocalAccount

beforeAll(async () => {
  t = await startTestChain()
  factory = await t.deployFactory()
  consumer = t.accounts[1]!
  provider = t.accounts[2]!
  stranger = t.accounts[3]!
})
afterAll(() => t.stop())

/** Opens a fresh channel from `consumer` to `provider`. */
async function open(
  p: { value?: bigint; cost?: bigint; redemptionTimeout?: bigint; terminationTimeout?: bigint } = {},
) {
  const { channel } = await t.openChannel({
    factory,
    consumer,
    provider: provider.address,
    costPerRequest: p.cost ?? COST,
    redemptionTimeout: p.redemptionTimeout ?? REDEMPTION_TIMEOUT,
    terminationTimeout: p.terminationTimeout ?? TERMINATION_TIMEOUT,
    value: p.value ?? 1_000_000n,
  })
  return channel
}

/** Sends a channel transaction and waits for its successful receipt. */
async function send(
  account: LocalAccount,
  address: Address,
  functionName: Fn,
  args: readonly unknown[] = [],
  value?: bigint,
): Promise<TransactionReceipt> {
  const hash = await t.wallet(account).writeContract({
    address,
    abi: intermediaryAbi as Abi,
    functionName,
    args,
    value,
  })
  return t.mined(hash)
}

/** Sends a transaction that must revert on chain (gas given, so no estimation stops it first). */
async function sendReverting(
  account: LocalAccount,
  address: Address,
  functionName: Fn,
  args: readonly unknown[] = [],
) {
  const hash = await t.wallet(account).writeContract({
    address,
    abi: intermediaryAbi as Abi,
    functionName,
    args,
    gas: 300_000n,
  })
  const receipt = await t.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  return receipt.status
}

/** The decoded custom error a call reverts with (at `time` when given). */
function revertOf(
  account: LocalAccount,
  address: Address,
  functionName: Fn,
  args: readonly unknown[] = [],
  options: { value?: bigint; time?: bigint } = {},
) {
  return t.revertOf({ account, address, abi: intermediaryAbi as Abi, functionName, args, ...options })
}

/** The channel's events in a receipt, in order. */
function eventsOf(receipt: TransactionReceipt, channel: Address) {
  return parseEventLogs({ abi: intermediaryAbi, logs: receipt.logs })
    .filter((log) => log.address.toLowerCase() === channel)
    .map((log) => ({ eventName: log.eventName, args: log.args }))
}

async function state(channel: Address) {
  return readChannelState({ client: t.publicClient, address: channel })
}

async function balance(address: Address) {
  return t.publicClient.getBalance({ address })
}

async function timestampOf(receipt: TransactionReceipt) {
  return (await t.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp
}

function feeOf(receipt: TransactionReceipt) {
  return receipt.gasUsed * receipt.effectiveGasPrice
}

async function sign(channel: Address, tokenId: bigint, requests: bigint, account = consumer): Promise<Hex> {
  const token = await signToken({ account, chainId: t.chain.id, channel, tokenId, requests })
  return token.signature
}

/** Starts a redemption of the active token and waits until it is redeemable. */
async function startAndWait(channel: Address, newTokenId: bigint) {
  const receipt = await send(provider, channel, 'startRedemption', [newTokenId])
  await t.advanceTime(REDEMPTION_TIMEOUT)
  return receipt
}

const checksum = (a: { address: Address }) => getAddress(a.address)

describe('Intermediary life cycle', () => {
  let channel: Address
  let redeemableAt: bigint
  let terminatesAt: bigint

  it('open() creates the channel with its terms, token ID 1 and the first deposit', async () => {
    const { channel: opened, receipt } = await t.openChannel({
      factory,
      consumer,
      provider: provider.address,
      costPerRequest: COST,
      redemptionTimeout: REDEMPTION_TIMEOUT,
      terminationTimeout: TERMINATION_TIMEOUT,
      value: 1_000_000n,
    })
    channel = opened
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Deposited',
        args: { from: checksum(consumer), amount: 1_000_000n, consumerFunds: 1_000_000n },
      },
    ])
    expect(await state(channel)).toEqual({
      address: channel,
      consumer: consumer.address.toLowerCase(),
      provider: provider.address.toLowerCase(),
      costPerRequest: COST,
      redemptionTimeout: REDEMPTION_TIMEOUT,
      terminationTimeout: TERMINATION_TIMEOUT,
      consumerFunds: 1_000_000n,
      providerFunds: 0n,
      activeTokenId: 1n,
      expiringTokenId: 0n,
      redeemableAt: 0n,
      lastTokenId: 1n,
      terminatesAt: 0n,
      terminated: false,
    })
    expect(await balance(channel)).toBe(1_000_000n)
    const read = (functionName: 'factory' | 'TOKEN_TYPEHASH') =>
      t.publicClient.readContract({ address: channel, abi: intermediaryAbi, functionName })
    expect((await read('factory')).toLowerCase()).toBe(factory.toLowerCase())
    expect(await read('TOKEN_TYPEHASH')).toBe(keccak256(toBytes('Token(uint256 tokenId,uint256 requests)')))
  })

  it('tokenDigest() equals the EIP-712 digest of lib/token', async () => {
    const digest = await t.publicClient.readContract({
      address: channel,
      abi: intermediaryAbi,
      functionName: 'tokenDigest',
      args: [1n, 42n],
    })
    expect(digest).toBe(tokenDigest({ chainId: t.chain.id, channel, tokenId: 1n, requests: 42n }))
  })

  it('deposit() adds to the consumer funds and emits Deposited', async () => {
    const receipt = await send(consumer, channel, 'deposit', [], 500_000n)
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Deposited',
        args: { from: checksum(consumer), amount: 500_000n, consumerFunds: 1_500_000n },
      },
    ])
    const s = await state(channel)
    expect(s.consumerFunds).toBe(1_500_000n)
    expect(s.providerFunds).toBe(0n)
    expect(await balance(channel)).toBe(1_500_000n)
  })

  it('startRedemption() makes the active token ID expiring and activates the new one', async () => {
    const receipt = await send(provider, channel, 'startRedemption', [7n])
    redeemableAt = (await timestampOf(receipt)) + REDEMPTION_TIMEOUT
    expect(eventsOf(receipt, channel)).toEqual([
      { eventName: 'RedemptionStarted', args: { expiringTokenId: 1n, activeTokenId: 7n, redeemableAt } },
    ])
    const s = await state(channel)
    expect([s.activeTokenId, s.expiringTokenId, s.redeemableAt, s.lastTokenId]).toEqual([
      7n,
      1n,
      redeemableAt,
      7n,
    ])
  })

  it('redeem() after the timeout pays the consumer-signed token of the expiring ID', async () => {
    await t.advanceTime(REDEMPTION_TIMEOUT)
    const receipt = await send(provider, channel, 'redeem', [300n, await sign(channel, 1n, 300n)])
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Redeemed',
        args: {
          tokenId: 1n,
          requests: 300n,
          amount: 300_000n,
          consumerFunds: 1_200_000n,
          providerFunds: 300_000n,
        },
      },
    ])
    const s = await state(channel)
    expect([s.consumerFunds, s.providerFunds, s.activeTokenId, s.expiringTokenId, s.redeemableAt]).toEqual([
      1_200_000n,
      300_000n,
      7n,
      0n,
      0n,
    ])
    expect(await balance(channel)).toBe(1_500_000n)
  })

  it('redeem() cannot redeem the same token ID twice', async () => {
    expect(await revertOf(provider, channel, 'redeem', [300n, await sign(channel, 1n, 300n)])).toEqual({
      name: 'NoRedemptionPending',
      args: [],
    })
  })

  it('startRedemption() refuses an old token ID', async () => {
    expect(await revertOf(provider, channel, 'startRedemption', [1n])).toEqual({
      name: 'TokenIdUsed',
      args: [1n, 7n],
    })
    expect(await revertOf(provider, channel, 'startRedemption', [7n])).toEqual({
      name: 'TokenIdUsed',
      args: [7n, 7n],
    })
  })

  it('withdraw() pays the provider its earnings and emits Withdrawn', async () => {
    const before = await balance(provider.address)
    const receipt = await send(provider, channel, 'withdraw')
    expect(eventsOf(receipt, channel)).toEqual([
      { eventName: 'Withdrawn', args: { to: checksum(provider), amount: 300_000n } },
    ])
    expect((await balance(provider.address)) - before + feeOf(receipt)).toBe(300_000n)
    const s = await state(channel)
    expect([s.consumerFunds, s.providerFunds]).toEqual([1_200_000n, 0n])
    expect(await balance(channel)).toBe(1_200_000n)
  })

  it('startTermination() sets the deadline and emits TerminationStarted', async () => {
    const receipt = await send(consumer, channel, 'startTermination')
    terminatesAt = (await timestampOf(receipt)) + TERMINATION_TIMEOUT
    expect(eventsOf(receipt, channel)).toEqual([
      { eventName: 'TerminationStarted', args: { by: checksum(consumer), terminatesAt } },
    ])
    const s = await state(channel)
    expect([s.terminatesAt, s.terminated, s.activeTokenId]).toEqual([terminatesAt, false, 7n])
  })

  it('deposit() is refused once termination started', async () => {
    expect(await revertOf(consumer, channel, 'deposit', [], { value: 1n })).toEqual({
      name: 'TerminationAlreadyStarted',
      args: [],
    })
  })

  it('startTermination() cannot be restarted or postponed', async () => {
    await t.advanceTime(100)
    expect(await revertOf(consumer, channel, 'startTermination')).toEqual({
      name: 'TerminationAlreadyStarted',
      args: [],
    })
    expect(await sendReverting(consumer, channel, 'startTermination')).toBe('reverted')
    expect((await state(channel)).terminatesAt).toBe(terminatesAt)
  })

  it('startRedemption() after startTermination ignores newTokenId and leaves no active token ID', async () => {
    const receipt = await send(provider, channel, 'startRedemption', [1_000n])
    const at = (await timestampOf(receipt)) + REDEMPTION_TIMEOUT
    expect(eventsOf(receipt, channel)).toEqual([
      { eventName: 'RedemptionStarted', args: { expiringTokenId: 7n, activeTokenId: 0n, redeemableAt: at } },
    ])
    const s = await state(channel)
    expect([s.activeTokenId, s.expiringTokenId, s.redeemableAt, s.lastTokenId]).toEqual([0n, 7n, at, 7n])
  })

  it('redeem() pays the last token during termination', async () => {
    await t.advanceTime(REDEMPTION_TIMEOUT)
    const receipt = await send(provider, channel, 'redeem', [50n, await sign(channel, 7n, 50n)])
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Redeemed',
        args: {
          tokenId: 7n,
          requests: 50n,
          amount: 50_000n,
          consumerFunds: 1_150_000n,
          providerFunds: 50_000n,
        },
      },
    ])
  })

  it('startRedemption() has no token left to redeem during termination', async () => {
    expect(await revertOf(provider, channel, 'startRedemption', [2_000n])).toEqual({
      name: 'NoActiveToken',
      args: [],
    })
  })

  it('terminate() by the consumer is refused before the deadline', async () => {
    expect(await revertOf(consumer, channel, 'terminate', [], { time: terminatesAt - 1n })).toEqual({
      name: 'TerminationNotDue',
      args: [terminatesAt],
    })
    expect(await revertOf(consumer, channel, 'terminate')).toEqual({
      name: 'TerminationNotDue',
      args: [terminatesAt],
    })
  })

  it('withdraw() by the consumer is refused before termination completed', async () => {
    expect(await revertOf(consumer, channel, 'withdraw')).toEqual({ name: 'NotTerminated', args: [] })
    expect(await revertOf(consumer, channel, 'withdraw', [], { time: terminatesAt })).toEqual({
      name: 'NotTerminated',
      args: [],
    })
  })

  it('terminate() by the consumer at the deadline ends the channel and emits Terminated', async () => {
    await t.testClient.setNextBlockTimestamp({ timestamp: terminatesAt })
    const receipt = await send(consumer, channel, 'terminate')
    expect(await timestampOf(receipt)).toBe(terminatesAt)
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Terminated',
        args: { by: checksum(consumer), consumerRefund: 1_150_000n, providerPayout: 50_000n },
      },
    ])
    const s = await state(channel)
    expect(s).toMatchObject({
      consumerFunds: 1_150_000n,
      providerFunds: 50_000n,
      activeTokenId: 0n,
      expiringTokenId: 0n,
      redeemableAt: 0n,
      lastTokenId: 7n,
      terminatesAt,
      terminated: true,
    })
    expect(await balance(channel)).toBe(1_200_000n)
  })

  it('withdraw() pays the consumer its refund and the provider its payout after termination', async () => {
    const consumerBefore = await balance(consumer.address)
    const refund = await send(consumer, channel, 'withdraw')
    expect(eventsOf(refund, channel)).toEqual([
      { eventName: 'Withdrawn', args: { to: checksum(consumer), amount: 1_150_000n } },
    ])
    expect((await balance(consumer.address)) - consumerBefore + feeOf(refund)).toBe(1_150_000n)

    const providerBefore = await balance(provider.address)
    const payout = await send(provider, channel, 'withdraw')
    expect(eventsOf(payout, channel)).toEqual([
      { eventName: 'Withdrawn', args: { to: checksum(provider), amount: 50_000n } },
    ])
    expect((await balance(provider.address)) - providerBefore + feeOf(payout)).toBe(50_000n)

    const s = await state(channel)
    expect([s.consumerFunds, s.providerFunds]).toEqual([0n, 0n])
    expect(await balance(channel)).toBe(0n)
  })

  it('withdraw() has nothing left for either party', async () => {
    expect(await revertOf(consumer, channel, 'withdraw')).toEqual({ name: 'NothingToWithdraw', args: [] })
    expect(await revertOf(provider, channel, 'withdraw')).toEqual({ name: 'NothingToWithdraw', args: [] })
  })
})

describe('terminate() by the provider', () => {
  it('terminate() by the provider works at any time without startTermination', async () => {
    const channel = await open({ value: 40_000n })
    const receipt = await send(provider, channel, 'terminate')
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Terminated',
        args: { by: checksum(provider), consumerRefund: 40_000n, providerPayout: 0n },
      },
    ])
    expect(await state(channel)).toMatchObject({
      consumerFunds: 40_000n,
      providerFunds: 0n,
      activeTokenId: 0n,
      expiringTokenId: 0n,
      terminatesAt: 0n,
      terminated: true,
    })
    const before = await balance(consumer.address)
    const refund = await send(consumer, channel, 'withdraw')
    expect((await balance(consumer.address)) - before + feeOf(refund)).toBe(40_000n)
    expect(await balance(channel)).toBe(0n)
  })

  it('terminate() by the provider voids a pending redemption and keeps earned funds', async () => {
    const channel = await open({ value: 40_000n })
    await startAndWait(channel, 2n)
    await send(provider, channel, 'redeem', [3n, await sign(channel, 1n, 3n)])
    await send(provider, channel, 'startRedemption', [3n])
    const receipt = await send(provider, channel, 'terminate')
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Terminated',
        args: { by: checksum(provider), consumerRefund: 37_000n, providerPayout: 3_000n },
      },
    ])
    expect(await state(channel)).toMatchObject({
      consumerFunds: 37_000n,
      providerFunds: 3_000n,
      activeTokenId: 0n,
      expiringTokenId: 0n,
      redeemableAt: 0n,
      lastTokenId: 3n,
      terminated: true,
    })
    expect(await revertOf(provider, channel, 'redeem', [1n, await sign(channel, 2n, 1n)])).toEqual({
      name: 'AlreadyTerminated',
      args: [],
    })
  })
})

describe('deposit()', () => {
  it('deposit() refuses anyone but the consumer', async () => {
    const channel = await open()
    expect(await revertOf(provider, channel, 'deposit', [], { value: 1n })).toEqual({
      name: 'NotConsumer',
      args: [],
    })
    expect(await revertOf(stranger, channel, 'deposit', [], { value: 1n })).toEqual({
      name: 'NotConsumer',
      args: [],
    })
  })

  it('deposit() refuses 0 wei', async () => {
    const channel = await open()
    expect(await revertOf(consumer, channel, 'deposit', [], { value: 0n })).toEqual({
      name: 'ZeroDeposit',
      args: [],
    })
  })

  it('deposit() is refused after termination started', async () => {
    const channel = await open()
    await send(consumer, channel, 'startTermination')
    expect(await revertOf(consumer, channel, 'deposit', [], { value: 5n })).toEqual({
      name: 'TerminationAlreadyStarted',
      args: [],
    })
    expect(await sendReverting(consumer, channel, 'deposit')).toBe('reverted')
    expect((await state(channel)).consumerFunds).toBe(1_000_000n)
  })

  it('deposit() is refused after termination', async () => {
    const channel = await open()
    await send(provider, channel, 'terminate')
    expect(await revertOf(consumer, channel, 'deposit', [], { value: 5n })).toEqual({
      name: 'AlreadyTerminated',
      args: [],
    })
  })
})

describe('startRedemption()', () => {
  it('startRedemption() refuses anyone but the provider', async () => {
    const channel = await open()
    expect(await revertOf(consumer, channel, 'startRedemption', [2n])).toEqual({
      name: 'NotProvider',
      args: [],
    })
    expect(await revertOf(stranger, channel, 'startRedemption', [2n])).toEqual({
      name: 'NotProvider',
      args: [],
    })
  })

  it('startRedemption() is refused while a redemption is pending', async () => {
    const channel = await open()
    await send(provider, channel, 'startRedemption', [2n])
    expect(await revertOf(provider, channel, 'startRedemption', [3n])).toEqual({
      name: 'RedemptionPending',
      args: [1n],
    })
    await t.advanceTime(REDEMPTION_TIMEOUT * 10n)
    expect(await revertOf(provider, channel, 'startRedemption', [3n])).toEqual({
      name: 'RedemptionPending',
      args: [1n],
    })
  })

  it('startRedemption() refuses token ID 0 and the current ID', async () => {
    const channel = await open()
    expect(await revertOf(provider, channel, 'startRedemption', [0n])).toEqual({
      name: 'TokenIdUsed',
      args: [0n, 1n],
    })
    expect(await revertOf(provider, channel, 'startRedemption', [1n])).toEqual({
      name: 'TokenIdUsed',
      args: [1n, 1n],
    })
  })

  it('startRedemption() refuses reusing an old token ID and accepts any higher one', async () => {
    const channel = await open()
    await startAndWait(channel, 5n)
    await send(provider, channel, 'redeem', [0n, '0x'])
    for (const reused of [1n, 4n, 5n]) {
      expect(await revertOf(provider, channel, 'startRedemption', [reused])).toEqual({
        name: 'TokenIdUsed',
        args: [reused, 5n],
      })
    }
    const receipt = await send(provider, channel, 'startRedemption', [maxUint256])
    expect(eventsOf(receipt, channel)[0]?.args).toMatchObject({
      expiringTokenId: 5n,
      activeTokenId: maxUint256,
    })
    expect((await state(channel)).lastTokenId).toBe(maxUint256)
  })

  it('startRedemption() is refused after termination', async () => {
    const channel = await open()
    await send(provider, channel, 'terminate')
    expect(await revertOf(provider, channel, 'startRedemption', [9n])).toEqual({
      name: 'AlreadyTerminated',
      args: [],
    })
  })

  it('startRedemption() refuses when the last token is already in redemption during termination', async () => {
    const channel = await open()
    await send(consumer, channel, 'startTermination')
    await send(provider, channel, 'startRedemption', [9n])
    expect(await revertOf(provider, channel, 'startRedemption', [10n])).toEqual({
      name: 'RedemptionPending',
      args: [1n],
    })
    await t.advanceTime(REDEMPTION_TIMEOUT)
    await send(provider, channel, 'redeem', [0n, '0x'])
    expect(await revertOf(provider, channel, 'startRedemption', [10n])).toEqual({
      name: 'NoActiveToken',
      args: [],
    })
  })
})

describe('redeem()', () => {
  it('redeem() refuses anyone but the provider', async () => {
    const channel = await open()
    await startAndWait(channel, 2n)
    const signature = await sign(channel, 1n, 1n)
    expect(await revertOf(consumer, channel, 'redeem', [1n, signature])).toEqual({
      name: 'NotProvider',
      args: [],
    })
    expect(await revertOf(stranger, channel, 'redeem', [1n, signature])).toEqual({
      name: 'NotProvider',
      args: [],
    })
  })

  it('redeem() refuses when no redemption was started', async () => {
    const channel = await open()
    expect(await revertOf(provider, channel, 'redeem', [1n, await sign(channel, 1n, 1n)])).toEqual({
      name: 'NoRedemptionPending',
      args: [],
    })
  })

  it('redeem() is refused before the timeout and accepted exactly at redeemableAt', async () => {
    const channel = await open()
    const started = await send(provider, channel, 'startRedemption', [2n])
    const at = (await timestampOf(started)) + REDEMPTION_TIMEOUT
    const signature = await sign(channel, 1n, 4n)
    expect(await revertOf(provider, channel, 'redeem', [4n, signature])).toEqual({
      name: 'RedemptionNotDue',
      args: [at],
    })
    expect(await revertOf(provider, channel, 'redeem', [4n, signature], { time: at - 1n })).toEqual({
      name: 'RedemptionNotDue',
      args: [at],
    })
    await t.testClient.setNextBlockTimestamp({ timestamp: at - 1n })
    expect(await sendReverting(provider, channel, 'redeem', [4n, signature])).toBe('reverted')
    expect((await state(channel)).expiringTokenId).toBe(1n)

    await t.testClient.setNextBlockTimestamp({ timestamp: at })
    const receipt = await send(provider, channel, 'redeem', [4n, signature])
    expect(await timestampOf(receipt)).toBe(at)
    expect(eventsOf(receipt, channel)[0]?.args).toEqual({
      tokenId: 1n,
      requests: 4n,
      amount: 4_000n,
      consumerFunds: 996_000n,
      providerFunds: 4_000n,
    })
  })

  it('redeem() refuses a token of the active ID instead of the expiring one', async () => {
    const channel = await open()
    await startAndWait(channel, 2n)
    expect(await revertOf(provider, channel, 'redeem', [5n, await sign(channel, 2n, 5n)])).toEqual({
      name: 'InvalidSignature',
      args: [],
    })
  })

  it('redeem() refuses a request count other than the signed one', async () => {
    const channel = await open()
    await startAndWait(channel, 2n)
    expect(await revertOf(provider, channel, 'redeem', [11n, await sign(channel, 1n, 10n)])).toEqual({
      name: 'InvalidSignature',
      args: [],
    })
  })

  it('redeem() refuses after termination', async () => {
    const channel = await open()
    await startAndWait(channel, 2n)
    await send(provider, channel, 'terminate')
    expect(await revertOf(provider, channel, 'redeem', [1n, await sign(channel, 1n, 1n)])).toEqual({
      name: 'AlreadyTerminated',
      args: [],
    })
  })

  it('redeem() with requests=0 closes the redemption without a signature and pays nothing', async () => {
    const channel = await open({ value: 9_000n })
    await startAndWait(channel, 2n)
    const receipt = await send(provider, channel, 'redeem', [0n, '0xdeadbeef'])
    expect(eventsOf(receipt, channel)).toEqual([
      {
        eventName: 'Redeemed',
        args: { tokenId: 1n, requests: 0n, amount: 0n, consumerFunds: 9_000n, providerFunds: 0n },
      },
    ])
    expect(await state(channel)).toMatchObject({
      consumerFunds: 9_000n,
      providerFunds: 0n,
      activeTokenId: 2n,
      expiringTokenId: 0n,
      redeemableAt: 0n,
    })
    // The redemption is closed: the next one can start.
    await send(provider, channel, 'startRedemption', [3n])
    expect((await state(channel)).expiringTokenId).toBe(2n)
  })

  it('redeem() of a token worth more than the funds pays exactly the remaining funds', async () => {
    const channel = await open({ value: 7_500n })
    await startAndWait(channel, 2n)
    const receipt = await send(provider, channel, 'redeem', [8n, await sign(channel, 1n, 8n)])
    expect(eventsOf(receipt, channel)[0]?.args).toEqual({
      tokenId: 1n,
      requests: 8n,
      amount: 7_500n,
      consumerFunds: 0n,
      providerFunds: 7_500n,
    })
    expect(await balance(channel)).toBe(7_500n)
  })

  it('redeem() of a token worth exactly the funds pays it in full', async () => {
    const channel = await open({ value: 8_000n })
    await startAndWait(channel, 2n)
    const receipt = await send(provider, channel, 'redeem', [8n, await sign(channel, 1n, 8n)])
    expect(eventsOf(receipt, channel)[0]?.args).toMatchObject({
      amount: 8_000n,
      consumerFunds: 0n,
      providerFunds: 8_000n,
    })
  })

  it('redeem() of a token with 2^256-1 requests caps at the funds without overflowing', async () => {
    const channel = await open({ value: 12_345n })
    await startAndWait(channel, 2n)
    const receipt = await send(provider, channel, 'redeem', [maxUint256, await sign(channel, 1n, maxUint256)])
    expect(eventsOf(receipt, channel)[0]?.args).toEqual({
      tokenId: 1n,
      requests: maxUint256,
      amount: 12_345n,
      consumerFunds: 0n,
      providerFunds: 12_345n,
    })
  })

  it('redeem() after a redemption reverts NoRedemptionPending', async () => {
    const channel = await open()
    await startAndWait(channel, 2n)
    const signature = await sign(channel, 1n, 2n)
    await send(provider, channel, 'redeem', [2n, signature])
    expect(await revertOf(provider, channel, 'redeem', [2n, signature])).toEqual({
      name: 'NoRedemptionPending',
      args: [],
    })
    expect((await state(channel)).providerFunds).toBe(2_000n)
  })
})

describe('withdraw()', () => {
  it('withdraw() refuses anyone but the parties', async () => {
    const channel = await open()
    expect(await revertOf(stranger, channel, 'withdraw')).toEqual({ name: 'NotParty', args: [] })
  })

  it('withdraw() by the consumer refuses with NotTerminated before and after startTermination', async () => {
    const channel = await open()
    expect(await revertOf(consumer, channel, 'withdraw')).toEqual({ name: 'NotTerminated', args: [] })
    await send(consumer, channel, 'startTermination')
    expect(await revertOf(consumer, channel, 'withdraw')).toEqual({ name: 'NotTerminated', args: [] })
    await t.advanceTime(TERMINATION_TIMEOUT)
    // Due but not yet terminated: still refused, and nothing moved.
    expect(await revertOf(consumer, channel, 'withdraw')).toEqual({ name: 'NotTerminated', args: [] })
    expect(await sendReverting(consumer, channel, 'withdraw')).toBe('reverted')
    expect(await state(channel)).toMatchObject({ consumerFunds: 1_000_000n, terminated: false })
    expect(await balance(channel)).toBe(1_000_000n)
  })

  it('withdraw() by the provider with no earnings reverts NothingToWithdraw', async () => {
    const channel = await open()
    expect(await revertOf(provider, channel, 'withdraw')).toEqual({ name: 'NothingToWithdraw', args: [] })
  })

  it('withdraw() by the consumer of an empty channel after termination reverts NothingToWithdraw', async () => {
    const channel = await open({ value: 0n })
    await send(provider, channel, 'terminate')
    expect(await revertOf(consumer, channel, 'withdraw')).toEqual({ name: 'NothingToWithdraw', args: [] })
  })

  it('withdraw() by the provider pays only once', async () => {
    const channel = await open()
    await startAndWait(channel, 2n)
    await send(provider, channel, 'redeem', [10n, await sign(channel, 1n, 10n)])
    await send(provider, channel, 'withdraw')
    expect(await revertOf(provider, channel, 'withdraw')).toEqual({ name: 'NothingToWithdraw', args: [] })
    expect(await balance(channel)).toBe(990_000n)
  })
})

describe('startTermination()', () => {
  it('startTermination() refuses anyone but the consumer', async () => {
    const channel = await open()
    expect(await revertOf(provider, channel, 'startTermination')).toEqual({ name: 'NotConsumer', args: [] })
    expect(await revertOf(stranger, channel, 'startTermination')).toEqual({ name: 'NotConsumer', args: [] })
  })

  it('startTermination() is refused after termination', async () => {
    const channel = await open()
    await send(provider, channel, 'terminate')
    expect(await revertOf(consumer, channel, 'startTermination')).toEqual({
      name: 'AlreadyTerminated',
      args: [],
    })
  })

  it('startTermination() keeps the first deadline when called again', async () => {
    const channel = await open()
    const receipt = await send(consumer, channel, 'startTermination')
    const deadline = (await timestampOf(receipt)) + TERMINATION_TIMEOUT
    await t.advanceTime(TERMINATION_TIMEOUT / 2n)
    expect(await revertOf(consumer, channel, 'startTermination')).toEqual({
      name: 'TerminationAlreadyStarted',
      args: [],
    })
    expect((await state(channel)).terminatesAt).toBe(deadline)
  })
})

describe('terminate()', () => {
  it('terminate() refuses a stranger', async () => {
    const channel = await open()
    await send(consumer, channel, 'startTermination')
    await t.advanceTime(TERMINATION_TIMEOUT)
    expect(await revertOf(stranger, channel, 'terminate')).toEqual({ name: 'NotParty', args: [] })
  })

  it('terminate() by the consumer requires startTermination', async () => {
    const channel = await open()
    expect(await revertOf(consumer, channel, 'terminate')).toEqual({
      name: 'TerminationNotStarted',
      args: [],
    })
  })

  it('terminate() by the consumer is refused one second before the deadline', async () => {
    const channel = await open()
    const receipt = await send(consumer, channel, 'startTermination')
    const deadline = (await timestampOf(receipt)) + TERMINATION_TIMEOUT
    expect(await revertOf(consumer, channel, 'terminate', [], { time: deadline - 1n })).toEqual({
      name: 'TerminationNotDue',
      args: [deadline],
    })
    await t.testClient.setNextBlockTimestamp({ timestamp: deadline - 1n })
    expect(await sendReverting(consumer, channel, 'terminate')).toBe('reverted')
    expect((await state(channel)).terminated).toBe(false)
  })

  it('terminate() is refused once terminated, for both parties', async () => {
    const channel = await open()
    await send(provider, channel, 'terminate')
    expect(await revertOf(provider, channel, 'terminate')).toEqual({ name: 'AlreadyTerminated', args: [] })
    expect(await revertOf(consumer, channel, 'terminate')).toEqual({ name: 'AlreadyTerminated', args: [] })
  })
})

describe('plain ether', () => {
  it('a channel refuses plain ether and calls to unknown functions', async () => {
    const channel = await open({ value: 1_000n })
    await expect(t.wallet(consumer).sendTransaction({ to: channel, value: 1n })).rejects.toThrow(
      /execution reverted/,
    )
    await expect(t.wallet(stranger).sendTransaction({ to: channel, value: 10n ** 18n })).rejects.toThrow(
      /execution reverted/,
    )
    // On chain too, not only in the estimate.
    const hash = await t.wallet(consumer).sendTransaction({ to: channel, value: 1n, gas: 100_000n })
    expect((await t.publicClient.waitForTransactionReceipt({ hash })).status).toBe('reverted')
    await expect(t.publicClient.call({ account: consumer, to: channel, data: '0x12345678' })).rejects.toThrow(
      /execution reverted/,
    )
    expect(await balance(channel)).toBe(1_000n)
    expect((await state(channel)).consumerFunds).toBe(1_000n)
  })
})

describe('termination timeout margin', () => {
  // The minimum terminationTimeout is 3 x redemptionTimeout (T = startTermination, R = the
  // redemption timeout). Worst case for the provider: it starts a redemption in the same second
  // the consumer starts termination. It redeems that pending token at T+R, starts the redemption
  // of its last token at once and redeems it at T+2R, while the consumer's terminate() is refused
  // until T+3R: a whole redemption timeout of slack, no race at the deadline.
  it('terminate() at exactly 3x leaves the provider time to redeem a pending and its last token', async () => {
    const R = 100n
    const channel = await open({ value: 1_000_000n, redemptionTimeout: R, terminationTimeout: 3n * R })
    const t0 = (await t.publicClient.getBlock()).timestamp + 10n
    // Two transactions with the same timestamp stand for one block holding both.
    const at = (timestamp: bigint) => t.testClient.setNextBlockTimestamp({ timestamp })

    await at(t0)
    const pending = await send(provider, channel, 'startRedemption', [2n])
    expect(await timestampOf(pending)).toBe(t0)
    await at(t0)
    const termination = await send(consumer, channel, 'startTermination')
    expect(eventsOf(termination, channel)).toEqual([
      { eventName: 'TerminationStarted', args: { by: checksum(consumer), terminatesAt: t0 + 300n } },
    ])
    expect(await state(channel)).toMatchObject({
      activeTokenId: 2n,
      expiringTokenId: 1n,
      redeemableAt: t0 + 100n,
      terminatesAt: t0 + 300n,
    })

    // T+R: the pending token 1 is redeemed and the last token (2) goes into redemption.
    expect(await revertOf(consumer, channel, 'terminate', [], { time: t0 + 100n })).toEqual({
      name: 'TerminationNotDue',
      args: [t0 + 300n],
    })
    await at(t0 + 100n)
    const first = await send(provider, channel, 'redeem', [10n, await sign(channel, 1n, 10n)])
    expect(await timestampOf(first)).toBe(t0 + 100n)
    await at(t0 + 100n)
    const last = await send(provider, channel, 'startRedemption', [3n])
    expect(eventsOf(last, channel)).toEqual([
      {
        eventName: 'RedemptionStarted',
        args: { expiringTokenId: 2n, activeTokenId: 0n, redeemableAt: t0 + 200n },
      },
    ])

    // T+2R: the consumer's terminate() is still refused, on chain too, in the same second in
    // which the last token becomes redeemable.
    await at(t0 + 200n)
    expect(await sendReverting(consumer, channel, 'terminate')).toBe('reverted')
    await at(t0 + 200n)
    const second = await send(provider, channel, 'redeem', [25n, await sign(channel, 2n, 25n)])
    expect(await timestampOf(second)).toBe(t0 + 200n)
    expect(eventsOf(second, channel)).toEqual([
      {
        eventName: 'Redeemed',
        args: {
          tokenId: 2n,
          requests: 25n,
          amount: 25_000n,
          consumerFunds: 965_000n,
          providerFunds: 35_000n,
        },
      },
    ])
    expect(await revertOf(provider, channel, 'startRedemption', [4n])).toEqual({
      name: 'NoActiveToken',
      args: [],
    })

    // Until T+3R the consumer cannot terminate; at T+3R it can, and both redemptions stay paid.
    expect(await revertOf(consumer, channel, 'terminate', [], { time: t0 + 299n })).toEqual({
      name: 'TerminationNotDue',
      args: [t0 + 300n],
    })
    await at(t0 + 299n)
    expect(await sendReverting(consumer, channel, 'terminate')).toBe('reverted')
    await at(t0 + 300n)
    const end = await send(consumer, channel, 'terminate')
    expect(eventsOf(end, channel)).toEqual([
      {
        eventName: 'Terminated',
        args: { by: checksum(consumer), consumerRefund: 965_000n, providerPayout: 35_000n },
      },
    ])
    expect(await state(channel)).toMatchObject({
      consumerFunds: 965_000n,
      providerFunds: 35_000n,
      terminated: true,
    })
    expect(await balance(channel)).toBe(1_000_000n)
  })
})
