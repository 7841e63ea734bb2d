import { type Abi, type Address, getAddress, type Hex, parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readChannelState } from '../../lib/channel'
import { contractErrorsAbi, decodeContractError } from '../../lib/contractErrors'
import { intermediaryAbi } from '../generated'
import {
  COST,
  type IntermediaryTestbed,
  REDEMPTION_TIMEOUT,
  startIntermediaryTestbed,
  TERMINATION_TIMEOUT,
} from './intermediary'
import { type Artifact, compileParties } from './parties'

/*
 * Hostile parties: contracts as channel parties that re-enter the channel from receive(), refuse
 * payment, or force ether in (hostile inputs: hostile.test.ts).
 */

let t: IntermediaryTestbed
beforeAll(async () => {
  t = await startIntermediaryTestbed()
})
afterAll(() => t?.stop())

describe('contract parties', () => {
  let parties: ReturnType<typeof compileParties>
  const owner = () => t.accounts[4]!

  beforeAll(() => {
    parties = compileParties()
  })

  async function deploy(artifact: Artifact): Promise<Address> {
    const hash = await t.wallet(owner()).deployContract({ abi: artifact.abi, bytecode: artifact.bytecode })
    const receipt = await t.mined(hash)
    return receipt.contractAddress!
  }

  const party = (artifact: Artifact, address: Address) => ({
    send: async (functionName: string, args: readonly unknown[] = [], value?: bigint) =>
      t.mined(
        await t.wallet(owner()).writeContract({ address, abi: artifact.abi, functionName, args, value }),
      ),
    read: (functionName: string) => t.publicClient.readContract({ address, abi: artifact.abi, functionName }),
    revertOf: (functionName: string, args: readonly unknown[] = []) =>
      t.revertOf({
        account: owner(),
        address,
        abi: [...artifact.abi, ...contractErrorsAbi] as Abi,
        functionName,
        args,
      }),
  })

  async function channelState(channel: Address) {
    const s = await readChannelState({ client: t.publicClient, address: channel })
    return { ...s, balance: await t.publicClient.getBalance({ address: channel }) }
  }

  it('a provider re-entering withdraw() and terminate() from receive() gets exactly its earnings', async () => {
    const address = await deploy(parties.Reentrant)
    const attacker = party(parties.Reentrant, address)
    const channel = await t.open({ provider: address, value: 100_000n })
    await attacker.send('attach', [channel])
    await attacker.send('startRedemption', [2n])
    await t.advanceTime(REDEMPTION_TIMEOUT)
    await attacker.send('redeem', [30n, await t.sign(channel, 1n, 30n)])
    const before = await channelState(channel)
    expect([before.consumerFunds, before.providerFunds, before.balance]).toEqual([70_000n, 30_000n, 100_000n])

    const receipt = await attacker.send('withdraw')

    expect(await attacker.read('received')).toBe(30_000n)
    expect(await attacker.read('payments')).toBe(1n)
    expect(await t.publicClient.getBalance({ address })).toBe(30_000n)
    expect(await attacker.read('innerWithdrawSuccesses')).toBe(0n)
    expect(decodeContractError((await attacker.read('innerWithdrawError')) as Hex)?.name).toBe(
      'NothingToWithdraw',
    )
    // The provider may terminate at any time, also from receive(); it moves no money.
    expect(await attacker.read('innerTerminateSuccesses')).toBe(1n)
    const events = parseEventLogs({ abi: intermediaryAbi, logs: receipt.logs }).map((e) => [
      e.eventName,
      e.args,
    ])
    expect(events).toEqual([
      ['Withdrawn', { to: getAddress(address), amount: 30_000n }],
      ['Terminated', { by: getAddress(address), consumerRefund: 70_000n, providerPayout: 0n }],
    ])
    const after = await channelState(channel)
    expect([after.consumerFunds, after.providerFunds, after.balance, after.terminated]).toEqual([
      70_000n,
      0n,
      70_000n,
      true,
    ])
    // The consumer's refund is intact.
    await t.send(t.consumer, channel, 'withdraw')
    expect((await channelState(channel)).balance).toBe(0n)
  })

  it('a consumer re-entering withdraw() and terminate() from receive() gets exactly its refund', async () => {
    const address = await deploy(parties.Reentrant)
    const attacker = party(parties.Reentrant, address)
    await attacker.send(
      'open',
      [t.factory, t.provider.address, COST, REDEMPTION_TIMEOUT, TERMINATION_TIMEOUT],
      50_000n,
    )
    const channel = ((await attacker.read('channel')) as Address).toLowerCase() as Address
    await attacker.send('deposit', [], 25_000n)
    await t.send(t.provider, channel, 'startRedemption', [2n])
    await t.advanceTime(REDEMPTION_TIMEOUT)
    await t.send(t.provider, channel, 'redeem', [0n, '0x'])
    await attacker.send('startTermination')
    await t.advanceTime(TERMINATION_TIMEOUT)
    await attacker.send('terminate')
    expect((await channelState(channel)).balance).toBe(75_000n)

    await attacker.send('withdraw')

    expect(await attacker.read('received')).toBe(75_000n)
    expect(await attacker.read('payments')).toBe(1n)
    expect(await t.publicClient.getBalance({ address })).toBe(75_000n)
    expect(await attacker.read('innerWithdrawSuccesses')).toBe(0n)
    expect(await attacker.read('innerTerminateSuccesses')).toBe(0n)
    expect(decodeContractError((await attacker.read('innerWithdrawError')) as Hex)?.name).toBe(
      'NothingToWithdraw',
    )
    expect(decodeContractError((await attacker.read('innerTerminateError')) as Hex)?.name).toBe(
      'AlreadyTerminated',
    )
    const after = await channelState(channel)
    expect([after.consumerFunds, after.providerFunds, after.balance]).toEqual([0n, 0n, 0n])
  })

  it('withdraw() to a provider that refuses payment reverts TransferFailed and keeps its funds', async () => {
    const address = await deploy(parties.Refusing)
    const refusing = party(parties.Refusing, address)
    const channel = await t.open({ provider: address, value: 100_000n })
    await refusing.send('attach', [channel])
    await refusing.send('startRedemption', [2n])
    await t.advanceTime(REDEMPTION_TIMEOUT)
    await refusing.send('redeem', [40n, await t.sign(channel, 1n, 40n)])

    expect(await refusing.revertOf('withdraw')).toEqual({ name: 'TransferFailed', args: [] })
    const hash = await t.wallet(owner()).writeContract({
      address,
      abi: parties.Refusing.abi,
      functionName: 'withdraw',
      gas: 300_000n,
    })
    expect((await t.publicClient.waitForTransactionReceipt({ hash })).status).toBe('reverted')

    const after = await channelState(channel)
    expect([after.consumerFunds, after.providerFunds, after.balance]).toEqual([60_000n, 40_000n, 100_000n])
    expect(await t.publicClient.getBalance({ address })).toBe(0n)
  })

  it('withdraw() to a consumer that refuses its refund reverts TransferFailed and keeps the refund', async () => {
    const address = await deploy(parties.Refusing)
    const refusing = party(parties.Refusing, address)
    await refusing.send(
      'open',
      [t.factory, t.provider.address, COST, REDEMPTION_TIMEOUT, TERMINATION_TIMEOUT],
      80_000n,
    )
    const channel = ((await refusing.read('channel')) as Address).toLowerCase() as Address
    await t.send(t.provider, channel, 'terminate')

    expect(await refusing.revertOf('withdraw')).toEqual({ name: 'TransferFailed', args: [] })
    const after = await channelState(channel)
    expect([after.consumerFunds, after.providerFunds, after.balance]).toEqual([80_000n, 0n, 80_000n])
  })

  it('ether forced in by selfdestruct is credited to no one and leaves the accounting intact', async () => {
    const channel = await t.open({ value: 10_000n })
    const hash = await t.wallet(owner()).deployContract({
      abi: parties.ForceFeeder.abi,
      bytecode: parties.ForceFeeder.bytecode,
      args: [channel],
      value: 5n,
    })
    await t.mined(hash)
    const forced = await channelState(channel)
    // The documented invariant is balance >= consumerFunds + providerFunds: the forced ether is
    // credited to no one and never paid out.
    expect([forced.consumerFunds, forced.providerFunds, forced.balance]).toEqual([10_000n, 0n, 10_005n])
    await t.send(t.provider, channel, 'terminate')
    await t.send(t.consumer, channel, 'withdraw')
    const after = await channelState(channel)
    expect([after.consumerFunds, after.providerFunds, after.balance]).toEqual([0n, 0n, 5n])
  })
})
