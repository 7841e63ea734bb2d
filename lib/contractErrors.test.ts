import { type Abi, type Address, type Hex, type LocalAccount, toFunctionSelector } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryAbi, intermediaryFactoryAbi } from '../contracts/generated'
import { signToken } from '../packages/payment-client/src/token'
import { type ChannelTestbed, startChannelTestbed } from '../test/kit/testbed'
import { contractErrorOf, decodeContractError } from './contractErrors'

/*
 * contractErrorOf and decodeContractError on real revert data: every case is a call simulated
 * (or estimated) against a fresh anvil, decoded into the error's name, arguments and the exact
 * sentence shown to people.
 */

/** 2100-01-01T00:00:00Z: a fixed block time, so sentences with a time are exact. */
const T0 = 4_102_444_800n

let t: ChannelTestbed
beforeAll(async () => {
  t = await startChannelTestbed()
})
afterAll(() => t?.stop())

/** What a simulated call throws, decoded by contractErrorOf. */
async function decodedRevert(request: {
  account: LocalAccount
  address: Address
  abi: Abi
  functionName: string
  args?: readonly unknown[]
}) {
  try {
    await t.publicClient.simulateContract({ ...request, args: request.args ?? [] })
  } catch (error) {
    return contractErrorOf(error)
  }
  throw new Error(`${request.functionName} did not revert`)
}

const channelCall = (account: LocalAccount, address: Address, functionName: string, args: unknown[] = []) =>
  decodedRevert({ account, address, abi: intermediaryAbi as Abi, functionName, args })

const openCall = (args: readonly [Address, bigint, bigint, bigint]) =>
  decodedRevert({
    account: t.consumer,
    address: t.factory,
    abi: intermediaryFactoryAbi as Abi,
    functionName: 'open',
    args,
  })

describe('contractErrorOf', () => {
  it('contractErrorOf() explains NotTerminated from withdraw() by the consumer before termination', async () => {
    const { channel } = await t.openChannel({ value: 1_000n })
    expect(await channelCall(t.consumer, channel, 'withdraw')).toEqual({
      name: 'NotTerminated',
      args: [],
      message: 'The consumer can withdraw only after the channel has been terminated.',
    })
  })

  it('contractErrorOf() explains TerminationNotStarted from terminate() by the consumer', async () => {
    const { channel } = await t.openChannel()
    expect(await channelCall(t.consumer, channel, 'terminate')).toEqual({
      name: 'TerminationNotStarted',
      args: [],
      message: 'Termination has not been started.',
    })
  })

  it('contractErrorOf() explains TerminationTimeoutTooShort with three times the redemption timeout', async () => {
    expect(await openCall([t.provider.address, 1n, 60n, 179n])).toEqual({
      name: 'TerminationTimeoutTooShort',
      args: [180n],
      message: 'The termination timeout must be at least 180 seconds (three times the redemption timeout).',
    })
  })

  it('contractErrorOf() explains InvalidRedemptionTimeout with MAX_TIMEOUT/3 as the limit', async () => {
    expect(await openCall([t.provider.address, 1n, 10_512_001n, 31_536_000n])).toEqual({
      name: 'InvalidRedemptionTimeout',
      args: [10_512_000n],
      message: 'The redemption timeout must be between 1 and 10512000 seconds.',
    })
  })

  it('contractErrorOf() explains RedemptionNotDue with the time the token becomes redeemable', async () => {
    const { channel } = await t.openChannel({ value: 1_000n })
    await t.testClient.setNextBlockTimestamp({ timestamp: T0 })
    await t.mined(
      await t.wallet(t.provider).writeContract({
        address: channel,
        abi: intermediaryAbi,
        functionName: 'startRedemption',
        args: [2n],
      }),
    )
    const token = await signToken({
      account: t.consumer,
      chainId: t.chain.id,
      channel,
      tokenId: 1n,
      requests: 1n,
    })
    expect(await channelCall(t.provider, channel, 'redeem', [1n, token.signature])).toEqual({
      name: 'RedemptionNotDue',
      args: [T0 + 60n],
      message: 'The token can be redeemed only after 2100-01-01 00:01:00 UTC.',
    })
  })

  it('contractErrorOf() finds the error in what writeContract throws when gas estimation reverts', async () => {
    const { channel } = await t.openChannel()
    const error = await t
      .wallet(t.consumer)
      .writeContract({ address: channel, abi: intermediaryAbi, functionName: 'withdraw' })
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(contractErrorOf(error)).toEqual({
      name: 'NotTerminated',
      args: [],
      message: 'The consumer can withdraw only after the channel has been terminated.',
    })
  })

  it('contractErrorOf() returns null for anything but a viem contract revert', () => {
    expect(contractErrorOf(new Error('execution reverted'))).toBeNull()
    expect(contractErrorOf('NotTerminated')).toBeNull()
    expect(contractErrorOf(undefined)).toBeNull()
  })
})

describe('decodeContractError', () => {
  it('decodeContractError() decodes the raw revert data of a JSON-RPC eth_call', async () => {
    const { channel } = await t.openChannel()
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'eth_call',
        params: [{ from: t.consumer.address, to: channel, data: toFunctionSelector('withdraw()') }, 'latest'],
      }),
    })
    const { error } = (await response.json()) as { error: { data: Hex } }
    expect(error.data).toBe(toFunctionSelector('NotTerminated()'))
    expect(decodeContractError(error.data)).toEqual({
      name: 'NotTerminated',
      args: [],
      message: 'The consumer can withdraw only after the channel has been terminated.',
    })
  })

  it('decodeContractError() returns null for data of no known error', () => {
    expect(decodeContractError('0x')).toBeNull()
    expect(decodeContractError('0xdeadbeef')).toBeNull()
  })
})
