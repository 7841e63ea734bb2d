import {
  type Abi,
  type Address,
  BaseError,
  type ContractConstructorArgs,
  decodeErrorResult,
  encodeDeployData,
  encodePacked,
  getAddress,
  type Hex,
  keccak256,
  parseEventLogs,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryFactoryV2Abi, intermediaryV2Abi, intermediaryV2Bytecode } from '../../generated'
import { checksum, eventsOf, startV2Testbed, type V2Testbed } from './testbed'

/*
 * Contract tests of opening an IntermediaryV2 channel: through IntermediaryFactoryV2 (the
 * intended way) and deployed directly, which must check the same terms, since the channel's
 * constructor is where they are checked (a zero price would make a redemption divide by zero).
 */

let t: V2Testbed
beforeAll(async () => {
  t = await startV2Testbed()
})
afterAll(() => t?.stop())

const THREE = [1_000n, 7_000n, 50n]
const MAX_TIMEOUT = 365n * 24n * 3600n
const ZERO: Address = `0x${'0'.repeat(40)}`
const tableHash = (prices: readonly bigint[]) => keccak256(encodePacked(['uint256[]'], [[...prices]]))

const openRevert = (args: readonly unknown[], account = t.consumer) =>
  t.revertOf({
    account,
    address: t.factory,
    abi: intermediaryFactoryV2Abi as Abi,
    functionName: 'open',
    args,
  })

/** The custom error a direct deployment of IntermediaryV2 with `args` reverts with. */
async function deployRevert(args: ContractConstructorArgs<typeof intermediaryV2Abi>) {
  const data = encodeDeployData({ abi: intermediaryV2Abi, bytecode: intermediaryV2Bytecode, args })
  const error = await t.publicClient.call({ account: t.consumer, data }).then(
    () => null,
    (e: unknown) => e,
  )
  if (!(error instanceof BaseError)) throw new Error(`deployment did not revert: ${String(error)}`)
  const reverted = error.walk((e) => typeof (e as { data?: unknown }).data === 'string') as {
    data: Hex
  } | null
  if (!reverted) throw error
  const decoded = decodeErrorResult({ abi: intermediaryV2Abi, data: reverted.data })
  return { name: decoded.errorName, args: [...(decoded.args ?? [])] }
}

describe('IntermediaryFactoryV2.open()', () => {
  it('open() deploys a channel with its price table, announced for token ID 1', async () => {
    const { channel, receipt } = await t.openChannel({ prices: THREE, value: 5_000n })
    const [opened] = parseEventLogs({
      abi: intermediaryFactoryV2Abi,
      logs: receipt.logs,
      eventName: 'ChannelOpened',
    })
    expect(opened?.args).toEqual({
      channel: getAddress(channel),
      consumer: checksum(t.consumer),
      provider: checksum(t.provider),
      prices: THREE,
      redemptionTimeout: 60n,
      terminationTimeout: 600n,
    })
    expect(eventsOf(receipt, channel)).toEqual([
      { eventName: 'PricesAnnounced', args: { fromTokenId: 1n, version: 0n, prices: THREE } },
      { eventName: 'Deposited', args: { from: checksum(t.consumer), amount: 5_000n, consumerFunds: 5_000n } },
    ])
    expect(await t.state(channel)).toEqual({
      consumerFunds: 5_000n,
      providerFunds: 0n,
      activeTokenId: 1n,
      expiringTokenId: 0n,
      lastTokenId: 1n,
      redeemableAt: 0n,
      terminatesAt: 0n,
      terminated: false,
      activeVersion: 0n,
      expiringVersion: 0n,
    })
    const read = (functionName: string, args: readonly unknown[] = []) =>
      t.publicClient.readContract({ address: channel, abi: intermediaryV2Abi as Abi, functionName, args })
    expect(await read('categories')).toBe(3n)
    expect(await read('initialPricesHash')).toBe(tableHash(THREE))
    expect(await read('pricesHash', [0n])).toBe(tableHash(THREE))
    expect(await read('consumer')).toBe(checksum(t.consumer))
    expect(await read('provider')).toBe(checksum(t.provider))
    expect(
      await t.publicClient.readContract({
        address: t.factory,
        abi: intermediaryFactoryV2Abi,
        functionName: 'isChannel',
        args: [channel],
      }),
    ).toBe(true)
  })

  it('open() refuses a table of no category, of more than 8, or with a zero price', async () => {
    const rt = 60n
    const tt = 600n
    const provider = t.provider.address
    expect(await openRevert([provider, [], rt, tt])).toEqual({ name: 'InvalidCategoryCount', args: [0n, 8n] })
    expect(await openRevert([provider, Array(9).fill(1n), rt, tt])).toEqual({
      name: 'InvalidCategoryCount',
      args: [9n, 8n],
    })
    expect(await openRevert([provider, [5n, 6n, 0n, 7n], rt, tt])).toEqual({ name: 'ZeroPrice', args: [2n] })
    // Eight categories is the most, and fine.
    await t.open({ prices: Array(8).fill(3n) })
  })

  it('open() keeps v1 checks of the provider and the timeouts', async () => {
    const p = t.provider.address
    expect(await openRevert([t.consumer.address, [1n], 60n, 600n])).toEqual({
      name: 'InvalidProvider',
      args: [],
    })
    expect(await openRevert([ZERO, [1n], 60n, 600n])).toEqual({
      name: 'InvalidProvider',
      args: [],
    })
    expect(await openRevert([p, [1n], 0n, 600n])).toEqual({
      name: 'InvalidRedemptionTimeout',
      args: [MAX_TIMEOUT / 3n],
    })
    expect(await openRevert([p, [1n], 60n, 179n])).toEqual({
      name: 'TerminationTimeoutTooShort',
      args: [180n],
    })
    expect(await openRevert([p, [1n], MAX_TIMEOUT / 3n, MAX_TIMEOUT + 1n])).toEqual({
      name: 'TerminationTimeoutTooLong',
      args: [MAX_TIMEOUT],
    })
  })
})

describe('IntermediaryV2 deployed without the factory', () => {
  it('refuses the terms the factory refuses, with the same errors', async () => {
    const c = t.consumer.address
    const p = t.provider.address
    const cases: [
      string,
      ContractConstructorArgs<typeof intermediaryV2Abi>,
      { name: string; args: unknown[] },
    ][] = [
      ['zero consumer', [ZERO, p, THREE, 60n, 600n], { name: 'InvalidConsumer', args: [] }],
      ['zero provider', [c, ZERO, THREE, 60n, 600n], { name: 'InvalidProvider', args: [] }],
      ['consumer as provider', [c, c, THREE, 60n, 600n], { name: 'InvalidProvider', args: [] }],
      ['no category', [c, p, [], 60n, 600n], { name: 'InvalidCategoryCount', args: [0n, 8n] }],
      [
        'nine categories',
        [c, p, Array(9).fill(1n), 60n, 600n],
        { name: 'InvalidCategoryCount', args: [9n, 8n] },
      ],
      ['a zero price', [c, p, [5n, 0n], 60n, 600n], { name: 'ZeroPrice', args: [1n] }],
      [
        'no redemption timeout',
        [c, p, THREE, 0n, 600n],
        { name: 'InvalidRedemptionTimeout', args: [MAX_TIMEOUT / 3n] },
      ],
      [
        'a 2**32 s redemption timeout',
        [c, p, THREE, 2n ** 32n, 2n ** 34n],
        { name: 'InvalidRedemptionTimeout', args: [MAX_TIMEOUT / 3n] },
      ],
      ['short termination', [c, p, THREE, 60n, 179n], { name: 'TerminationTimeoutTooShort', args: [180n] }],
      [
        'long termination',
        [c, p, THREE, 60n, MAX_TIMEOUT + 1n],
        { name: 'TerminationTimeoutTooLong', args: [MAX_TIMEOUT] },
      ],
    ]
    for (const [label, args, expected] of cases) {
      expect({ label, error: await deployRevert(args) }).toEqual({ label, error: expected })
    }
  })

  it('opens with valid terms and redeems like a factory channel', async () => {
    const receipt = await t.mined(
      await t.wallet(t.consumer).deployContract({
        abi: intermediaryV2Abi,
        bytecode: intermediaryV2Bytecode,
        args: [t.consumer.address, t.provider.address, THREE, 60n, 600n],
        value: 10_000n,
      }),
    )
    const channel = receipt.contractAddress!.toLowerCase() as Address
    expect(await t.state(channel)).toMatchObject({ consumerFunds: 10_000n, activeTokenId: 1n })
    await t.startAndWait(channel)
    const requests = [1n, 1n, 1n]
    const redeemed = await t.send(t.provider, channel, 'redeem', [
      requests,
      THREE,
      await t.sign(channel, 1n, THREE, requests),
    ])
    expect(eventsOf(redeemed, channel)[0]?.args).toMatchObject({ amount: 8_050n, consumerFunds: 1_950n })
  })
})
