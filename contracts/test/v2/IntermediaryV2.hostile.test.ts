import path from 'node:path'
import { type Abi, type Address, decodeErrorResult, getAddress, type Hex, parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileSolidity } from '../../../test/kit/solidity'
import { intermediaryV2Abi } from '../../generated'
import { PRICES, REDEMPTION_TIMEOUT, startV2Testbed, TERMINATION_TIMEOUT, type V2Testbed } from './testbed'

/*
 * Hostile parties of IntermediaryV2, as v1's hostile.parties.test.ts: contracts as channel
 * parties that re-enter the channel from receive(), refuse payment, or force ether in. Pull
 * payments must pay each side exactly what it is owed, once.
 */

let t: V2Testbed
type Artifact = { abi: Abi; bytecode: Hex }
let parties: Record<'ReentrantV2' | 'RefusingV2' | 'ForceFeederV2', Artifact>
beforeAll(async () => {
  t = await startV2Testbed()
  const file = path.join(import.meta.dirname, 'PartiesV2.sol')
  parties = {
    ReentrantV2: compileSolidity(file, 'ReentrantV2'),
    RefusingV2: compileSolidity(file, 'RefusingV2'),
    ForceFeederV2: compileSolidity(file, 'ForceFeederV2'),
  }
})
afterAll(() => t?.stop())

const owner = () => t.accounts[4]!
const errorName = (data: Hex) => decodeErrorResult({ abi: intermediaryV2Abi, data }).errorName

async function deploy(artifact: Artifact): Promise<Address> {
  const hash = await t.wallet(owner()).deployContract({ abi: artifact.abi, bytecode: artifact.bytecode })
  return (await t.mined(hash)).contractAddress!
}

const party = (artifact: Artifact, address: Address) => ({
  send: async (functionName: string, args: readonly unknown[] = [], value?: bigint) =>
    t.mined(await t.wallet(owner()).writeContract({ address, abi: artifact.abi, functionName, args, value })),
  read: (functionName: string) => t.publicClient.readContract({ address, abi: artifact.abi, functionName }),
})

async function money(channel: Address) {
  const s = await t.state(channel)
  return [s.consumerFunds, s.providerFunds, await t.balance(channel)]
}

describe('IntermediaryV2 contract parties', () => {
  it('a provider re-entering withdraw() and terminate() from receive() gets exactly its earnings', async () => {
    const address = await deploy(parties.ReentrantV2)
    const attacker = party(parties.ReentrantV2, address)
    const channel = await t.open({ provider: address, value: 100_000n })
    await attacker.send('attach', [channel])
    await attacker.send('startRedemption')
    await t.advanceTime(REDEMPTION_TIMEOUT)
    await attacker.send('redeem', [[30n], PRICES, await t.sign(channel, 1n, PRICES, [30n])])
    expect(await money(channel)).toEqual([70_000n, 30_000n, 100_000n])

    const receipt = await attacker.send('withdraw')

    expect(await attacker.read('received')).toBe(30_000n)
    expect(await attacker.read('payments')).toBe(1n)
    expect(await attacker.read('innerWithdrawSuccesses')).toBe(0n)
    expect(errorName((await attacker.read('innerWithdrawError')) as Hex)).toBe('NothingToWithdraw')
    // The provider may terminate at any time, also from receive(); it moves no money.
    expect(await attacker.read('innerTerminateSuccesses')).toBe(1n)
    expect(
      parseEventLogs({ abi: intermediaryV2Abi, logs: receipt.logs }).map((e) => [e.eventName, e.args]),
    ).toEqual([
      ['Withdrawn', { to: getAddress(address), amount: 30_000n }],
      ['Terminated', { by: getAddress(address), consumerRefund: 70_000n, providerPayout: 0n }],
    ])
    expect(await money(channel)).toEqual([70_000n, 0n, 70_000n])
    await t.send(t.consumer, channel, 'withdraw')
    expect(await t.balance(channel)).toBe(0n)
  })

  it('a consumer re-entering withdraw() and terminate() from receive() gets exactly its refund', async () => {
    const address = await deploy(parties.ReentrantV2)
    const attacker = party(parties.ReentrantV2, address)
    const args = [t.factory, t.provider.address, [...PRICES], REDEMPTION_TIMEOUT, TERMINATION_TIMEOUT]
    await attacker.send('open', args, 50_000n)
    const channel = ((await attacker.read('channel')) as Address).toLowerCase() as Address
    await attacker.send('deposit', [], 25_000n)
    await attacker.send('startTermination')
    await t.advanceTime(TERMINATION_TIMEOUT)
    await attacker.send('terminate')

    await attacker.send('withdraw')

    expect(await attacker.read('received')).toBe(75_000n)
    expect(await attacker.read('payments')).toBe(1n)
    expect(errorName((await attacker.read('innerWithdrawError')) as Hex)).toBe('NothingToWithdraw')
    expect(errorName((await attacker.read('innerTerminateError')) as Hex)).toBe('AlreadyTerminated')
    expect(await money(channel)).toEqual([0n, 0n, 0n])
  })

  it('withdraw() to a provider that refuses payment reverts TransferFailed and keeps its funds', async () => {
    const address = await deploy(parties.RefusingV2)
    const refusing = party(parties.RefusingV2, address)
    const channel = await t.open({ provider: address, value: 100_000n })
    await refusing.send('attach', [channel])
    await refusing.send('startRedemption')
    await t.advanceTime(REDEMPTION_TIMEOUT)
    await refusing.send('redeem', [[40n], PRICES, await t.sign(channel, 1n, PRICES, [40n])])

    const hash = await t.wallet(owner()).writeContract({
      address,
      abi: parties.RefusingV2.abi,
      functionName: 'withdraw',
      gas: 300_000n,
    })
    expect((await t.publicClient.waitForTransactionReceipt({ hash })).status).toBe('reverted')
    expect(
      await t.revertOf({
        account: owner(),
        address,
        abi: [...parties.RefusingV2.abi, ...intermediaryV2Abi] as Abi,
        functionName: 'withdraw',
      }),
    ).toEqual({ name: 'TransferFailed', args: [] })
    expect(await money(channel)).toEqual([60_000n, 40_000n, 100_000n])
  })

  it('ether forced in by selfdestruct is credited to no one and leaves the accounting intact', async () => {
    const channel = await t.open({ value: 10_000n })
    await t.mined(
      await t.wallet(owner()).deployContract({
        abi: parties.ForceFeederV2.abi,
        bytecode: parties.ForceFeederV2.bytecode,
        args: [channel],
        value: 5n,
      }),
    )
    expect(await money(channel)).toEqual([10_000n, 0n, 10_005n])
    await t.send(t.provider, channel, 'terminate')
    await t.send(t.consumer, channel, 'withdraw')
    expect(await money(channel)).toEqual([0n, 0n, 5n])
  })
})
