import {
  type Abi,
  type Address,
  getAddress,
  type LocalAccount,
  maxUint256,
  parseEventLogs,
  zeroAddress,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readChannelState } from '../../lib/channel'
import { type ChannelTestbed, startChannelTestbed } from '../../test/kit/testbed'
import { intermediaryAbi, intermediaryFactoryAbi } from '../generated'

/*
 * Contract tests of IntermediaryFactory: open() with exact events and registry state, and every
 * argument check with its boundaries.
 */

const MAX = 365n * 24n * 60n * 60n
/** The longest redemption timeout: three of them must fit in MAX_TIMEOUT. */
const MAX_REDEMPTION = MAX / 3n

let t: ChannelTestbed
beforeAll(async () => {
  t = await startChannelTestbed()
})
afterAll(() => t?.stop())

type OpenArgs = readonly [Address, bigint, bigint, bigint]

/** The decoded custom error open() reverts with. */
function openRevert(args: OpenArgs, options: { account?: LocalAccount; value?: bigint } = {}) {
  return t.revertOf({
    account: options.account ?? t.consumer,
    address: t.factory,
    abi: intermediaryFactoryAbi as Abi,
    functionName: 'open',
    args,
    value: options.value ?? 0n,
  })
}

/** Opens a channel for real and returns the terms the channel reports. */
async function openAccepted(args: OpenArgs) {
  const hash = await t.wallet(t.consumer).writeContract({
    address: t.factory,
    abi: intermediaryFactoryAbi,
    functionName: 'open',
    args,
  })
  const receipt = await t.mined(hash)
  const [opened] = parseEventLogs({
    abi: intermediaryFactoryAbi,
    logs: receipt.logs,
    eventName: 'ChannelOpened',
  })
  const s = await readChannelState({ client: t.publicClient, address: opened!.args.channel })
  return [s.costPerRequest, s.redemptionTimeout, s.terminationTimeout]
}

async function channelCount() {
  return t.publicClient.readContract({
    address: t.factory,
    abi: intermediaryFactoryAbi,
    functionName: 'channelCount',
  })
}

async function isChannel(address: Address) {
  return t.publicClient.readContract({
    address: t.factory,
    abi: intermediaryFactoryAbi,
    functionName: 'isChannel',
    args: [address],
  })
}

describe('IntermediaryFactory.open()', () => {
  it('MAX_TIMEOUT is 365 days', async () => {
    expect(
      await t.publicClient.readContract({
        address: t.factory,
        abi: intermediaryFactoryAbi,
        functionName: 'MAX_TIMEOUT',
      }),
    ).toBe(31_536_000n)
  })

  it('open() deploys a registered channel, emits ChannelOpened and Deposited and locks the deposit', async () => {
    const countBefore = await channelCount()
    const hash = await t.wallet(t.consumer).writeContract({
      address: t.factory,
      abi: intermediaryFactoryAbi,
      functionName: 'open',
      args: [t.provider.address, 2_500n, 30n, 90n],
      value: 123_456n,
    })
    const receipt = await t.mined(hash)
    const opened = parseEventLogs({
      abi: intermediaryFactoryAbi,
      logs: receipt.logs,
      eventName: 'ChannelOpened',
    })
    expect(opened).toHaveLength(1)
    const channel = opened[0]!.args.channel
    expect(opened[0]!.address.toLowerCase()).toBe(t.factory.toLowerCase())
    expect(opened[0]!.args).toEqual({
      channel,
      consumer: getAddress(t.consumer.address),
      provider: getAddress(t.provider.address),
      costPerRequest: 2_500n,
      redemptionTimeout: 30n,
      terminationTimeout: 90n,
    })
    const deposited = parseEventLogs({ abi: intermediaryAbi, logs: receipt.logs, eventName: 'Deposited' })
    expect(deposited.map((log) => [log.address.toLowerCase(), log.args])).toEqual([
      [
        channel.toLowerCase(),
        { from: getAddress(t.consumer.address), amount: 123_456n, consumerFunds: 123_456n },
      ],
    ])
    expect(await isChannel(channel)).toBe(true)
    expect(await channelCount()).toBe(countBefore + 1n)
    expect(await t.publicClient.getBalance({ address: channel })).toBe(123_456n)
    expect(await readChannelState({ client: t.publicClient, address: channel })).toEqual({
      address: channel.toLowerCase(),
      consumer: t.consumer.address.toLowerCase(),
      provider: t.provider.address.toLowerCase(),
      costPerRequest: 2_500n,
      redemptionTimeout: 30n,
      terminationTimeout: 90n,
      consumerFunds: 123_456n,
      providerFunds: 0n,
      activeTokenId: 1n,
      expiringTokenId: 0n,
      redeemableAt: 0n,
      lastTokenId: 1n,
      terminatesAt: 0n,
      terminated: false,
    })
    const channelFactory = await t.publicClient.readContract({
      address: channel,
      abi: intermediaryAbi,
      functionName: 'factory',
    })
    expect(channelFactory).toBe(getAddress(t.factory))
  })

  it('open() without value emits no Deposited and starts with no funds', async () => {
    const { channel, receipt } = await t.openChannel({ value: 0n })
    expect(parseEventLogs({ abi: intermediaryAbi, logs: receipt.logs, eventName: 'Deposited' })).toEqual([])
    const s = await readChannelState({ client: t.publicClient, address: channel })
    expect([s.consumerFunds, s.providerFunds]).toEqual([0n, 0n])
    expect(await t.publicClient.getBalance({ address: channel })).toBe(0n)
  })

  it('open() opens a distinct channel each time, counted by channelCount', async () => {
    const countBefore = await channelCount()
    const channels: Address[] = []
    for (let i = 0; i < 3; i++) {
      channels.push((await t.openChannel()).channel)
    }
    expect(new Set(channels).size).toBe(3)
    expect(await channelCount()).toBe(countBefore + 3n)
    for (const channel of channels) expect(await isChannel(channel)).toBe(true)
  })

  it('isChannel() is false for addresses the factory did not open', async () => {
    expect(await isChannel(t.consumer.address)).toBe(false)
    expect(await isChannel(t.factory)).toBe(false)
    expect(await isChannel(zeroAddress)).toBe(false)
  })

  it('open() refuses the zero address as provider', async () => {
    expect(await openRevert([zeroAddress, 1n, 1n, 3n])).toEqual({ name: 'InvalidProvider', args: [] })
  })

  it('open() refuses the consumer as its own provider', async () => {
    expect(await openRevert([t.consumer.address, 1n, 1n, 3n])).toEqual({ name: 'InvalidProvider', args: [] })
  })

  it('open() refuses a cost per request of 0', async () => {
    expect(await openRevert([t.provider.address, 0n, 1n, 3n])).toEqual({
      name: 'ZeroCostPerRequest',
      args: [],
    })
  })

  it('open() refuses a redemption timeout of 0', async () => {
    expect(await openRevert([t.provider.address, 1n, 0n, 3n])).toEqual({
      name: 'InvalidRedemptionTimeout',
      args: [10_512_000n],
    })
  })

  it('open() refuses a redemption timeout of MAX_TIMEOUT/3 + 1, of MAX_TIMEOUT and of 2^256-1', async () => {
    // The error names the real limit: a longer redemption timeout could never open a channel.
    for (const [redemptionTimeout, terminationTimeout] of [
      [MAX_REDEMPTION + 1n, MAX],
      [MAX, MAX],
      [MAX + 1n, MAX],
      [maxUint256, maxUint256],
    ] as const) {
      expect(await openRevert([t.provider.address, 1n, redemptionTimeout, terminationTimeout])).toEqual({
        name: 'InvalidRedemptionTimeout',
        args: [10_512_000n],
      })
    }
  })

  it('open() accepts a redemption timeout of MAX_TIMEOUT/3 with a termination timeout of MAX_TIMEOUT', async () => {
    expect(MAX_REDEMPTION * 3n).toBe(MAX)
    expect(await openAccepted([t.provider.address, 1n, MAX_REDEMPTION, MAX])).toEqual([
      1n,
      10_512_000n,
      31_536_000n,
    ])
  })

  it('open() refuses a redemption timeout of MAX_TIMEOUT/3 with a termination timeout of MAX_TIMEOUT - 1', async () => {
    expect(await openRevert([t.provider.address, 1n, MAX_REDEMPTION, MAX - 1n])).toEqual({
      name: 'TerminationTimeoutTooShort',
      args: [31_536_000n],
    })
  })

  it('open() accepts a termination timeout of exactly 3x the redemption timeout', async () => {
    expect(await openAccepted([t.provider.address, 1n, 60n, 180n])).toEqual([1n, 60n, 180n])
    expect(await openAccepted([t.provider.address, 1n, 1n, 3n])).toEqual([1n, 1n, 3n])
  })

  it('open() refuses a termination timeout of 3x the redemption timeout minus one', async () => {
    expect(await openRevert([t.provider.address, 1n, 60n, 179n])).toEqual({
      name: 'TerminationTimeoutTooShort',
      args: [180n],
    })
    expect(await openRevert([t.provider.address, 1n, 1n, 2n])).toEqual({
      name: 'TerminationTimeoutTooShort',
      args: [3n],
    })
  })

  it('open() refuses the former minimum of 2x the redemption timeout and a termination timeout of 0', async () => {
    expect(await openRevert([t.provider.address, 1n, 60n, 120n])).toEqual({
      name: 'TerminationTimeoutTooShort',
      args: [180n],
    })
    expect(await openRevert([t.provider.address, 1n, 60n, 0n])).toEqual({
      name: 'TerminationTimeoutTooShort',
      args: [180n],
    })
  })

  it('open() refuses a termination timeout of MAX_TIMEOUT + 1', async () => {
    expect(await openRevert([t.provider.address, 1n, 1n, MAX + 1n])).toEqual({
      name: 'TerminationTimeoutTooLong',
      args: [MAX],
    })
    expect(await openRevert([t.provider.address, 1n, 1n, maxUint256])).toEqual({
      name: 'TerminationTimeoutTooLong',
      args: [MAX],
    })
  })

  it('open() refuses a termination timeout of MAX_TIMEOUT + 1 with a redemption timeout of MAX_TIMEOUT/3', async () => {
    // 3 x MAX_TIMEOUT/3 fits exactly, so with the largest redemption timeout only MAX_TIMEOUT opens.
    expect(await openRevert([t.provider.address, 1n, MAX_REDEMPTION, MAX + 1n])).toEqual({
      name: 'TerminationTimeoutTooLong',
      args: [MAX],
    })
  })

  it('open() checks the provider first, then the cost, then the timeouts', async () => {
    expect(await openRevert([zeroAddress, 0n, 0n, 0n])).toEqual({ name: 'InvalidProvider', args: [] })
    expect(await openRevert([t.provider.address, 0n, 0n, 0n])).toEqual({
      name: 'ZeroCostPerRequest',
      args: [],
    })
    expect(await openRevert([t.provider.address, 1n, 0n, 0n])).toEqual({
      name: 'InvalidRedemptionTimeout',
      args: [10_512_000n],
    })
    expect(await openRevert([t.provider.address, 1n, 1n, 0n])).toEqual({
      name: 'TerminationTimeoutTooShort',
      args: [3n],
    })
  })

  it('a refused open() keeps the deposit with the consumer and registers nothing', async () => {
    const countBefore = await channelCount()
    const balanceBefore = await t.publicClient.getBalance({ address: t.consumer.address })
    const hash = await t.wallet(t.consumer).writeContract({
      address: t.factory,
      abi: intermediaryFactoryAbi,
      functionName: 'open',
      args: [t.provider.address, 1n, 60n, 179n],
      value: 10n ** 18n,
      gas: 2_000_000n,
    })
    const receipt = await t.publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('reverted')
    const fee = receipt.gasUsed * receipt.effectiveGasPrice
    expect(balanceBefore - (await t.publicClient.getBalance({ address: t.consumer.address }))).toBe(fee)
    expect(await channelCount()).toBe(countBefore)
    expect(await openRevert([t.provider.address, 1n, 60n, 179n], { value: 10n ** 18n })).toEqual({
      name: 'TerminationTimeoutTooShort',
      args: [180n],
    })
  })
})
