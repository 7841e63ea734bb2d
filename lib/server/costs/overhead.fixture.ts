import path from 'node:path'
import { type Abi, type Account, type Address, decodeFunctionData, type Hex } from 'viem'
import { expect } from 'vitest'
import { intermediaryAbi, intermediaryFactoryAbi } from '../../../contracts/generated'
import { sendCall } from '../../../test/kit/indexer'
import { compileSolidity } from '../../../test/kit/solidity'
import { OVERHEAD_ACTIONS, type OverheadAction } from '../../costs/overhead'
import { UNLABELLED_TEAM } from '../../costs/report'
import { type CostsTestbed, HOUR, type Name, startCostsTestbed, TEAMS } from './testing'

/*
 * The overhead suite's fixture: the costs testbed's thesis example (three channels opened,
 * redeemed once each), then, more than an hour later, a channel's whole life after that:
 * deposits, withdrawals, a termination announced and carried out by the consumer, one by the
 * provider at once, a party's deposit that reverts, a stranger's that reverts, a channel opened
 * by an unlabelled consumer, and one opened and funded through a contract wallet
 * (test/kit/contracts/ConsumerWallet.sol) by a labelled service, `vault` of team `treasury`.
 * Every transaction is real, on anvil, and indexed.
 */

/** Fees per action, as bigint. */
export type ByAction = Record<OverheadAction, bigint>
const zero = (): ByAction => Object.fromEntries(OVERHEAD_ACTIONS.map((a) => [a, 0n])) as ByAction

/** What the receipts say, summed independently of the index: per action, team and payer. */
export type ReceiptFees = {
  total: ByAction
  byTeam: Map<string, ByAction>
  byPayer: Map<string, ByAction>
  outside: bigint
  transactions: number
}

const ACTION_OF_FUNCTION: Record<string, OverheadAction> = {
  open: 'open',
  deposit: 'fund',
  fund: 'fund', // ConsumerWallet's
  startRedemption: 'redeem',
  redeem: 'redeem',
  withdraw: 'withdraw',
  startTermination: 'terminate',
  terminate: 'terminate',
}

export type OverheadBed = CostsTestbed & {
  /** The unlabelled consumer (dev account 7) and its channel to dave. */
  loner: Address
  lonerChannel: Address
  /** dev account 6: a party to nothing, labelled nothing. */
  stranger: Address
  /** dev account 8, labelled `vault` (team `treasury`), and its contract wallet, a channel's consumer. */
  vault: Address
  vaultWallet: Address
  /** The chain time from which only the second part (the channels' ends) happened. */
  laterFrom: number
  /** The fees of every transaction to the factory or a channel in [from, to), from the receipts. */
  receiptFees(from: number, to: number): Promise<ReceiptFees>
}

/** Starts the fixture (see above); `stop()` drops the database and stops the chain. */
export async function startOverheadBed(): Promise<OverheadBed> {
  const bed = await startCostsTestbed()
  try {
    const { chain, ch, addr } = bed
    const account = (name: Name) => chain.accounts[{ alice: 1, bob: 2, charlie: 3, dave: 4 }[name]]!
    const strangerAccount = chain.accounts[6]!
    const lonerAccount = chain.accounts[7]!
    const vaultAccount = chain.accounts[8]!
    const vault = vaultAccount.address.toLowerCase() as Address
    // Labelled before any answer reads the labels (serviceNames() keeps them 5 s).
    await bed.db.serviceLabel.create({
      data: { address: vault, name: 'vault', team: 'treasury', source: 'edit' },
    })
    await chain.advanceTime(2 * HOUR)
    const head = await chain.publicClient.getBlock()
    const laterFrom = Number(head.timestamp) + 1
    await chain.advanceTime(1)

    const call = async (who: typeof strangerAccount, address: Address, fn: string, value?: bigint) =>
      (await sendCall(chain, { account: who, address, functionName: fn, value })).status
    expect(await call(account('alice'), ch.ac, 'deposit', 1_000n)).toBe('success')
    expect(await call(account('bob'), ch.bc, 'deposit', 2_000n)).toBe('success')
    expect(await call(account('charlie'), ch.ac, 'withdraw')).toBe('success')
    // Not the consumer: reverts NotConsumer, and the stranger paid its gas.
    expect(await call(strangerAccount, ch.bc, 'deposit', 5n)).toBe('reverted')
    expect(await call(account('alice'), ch.ac, 'startTermination')).toBe('success')
    await chain.advanceTime(601)
    expect(await call(account('alice'), ch.ac, 'terminate')).toBe('success')
    expect(await call(account('alice'), ch.ac, 'withdraw')).toBe('success')
    // A party's call that reverts (a deposit into its terminated channel): the party paid.
    expect(await call(account('alice'), ch.ac, 'deposit', 1n)).toBe('reverted')
    // The provider ends charlie → dave at once; both take their funds.
    expect(await call(account('dave'), ch.cd, 'terminate')).toBe('success')
    expect(await call(account('dave'), ch.cd, 'withdraw')).toBe('success')
    expect(await call(account('charlie'), ch.cd, 'withdraw')).toBe('success')
    const lonerChannel = (
      await chain.openChannel({
        consumer: lonerAccount,
        provider: account('dave').address,
        value: 7_000n,
        costPerRequest: 10n,
        redemptionTimeout: 60n,
        terminationTimeout: 600n,
      })
    ).channel
    const wallet = await walletChannel(bed, vaultAccount, account('dave').address)
    await bed.settle()

    const loner = lonerAccount.address.toLowerCase() as Address
    const stranger = strangerAccount.address.toLowerCase() as Address
    const teamOf = new Map<string, string>(
      (Object.keys(TEAMS) as Name[]).map((n) => [addr[n], TEAMS[n]] as const),
    )
    teamOf.set(loner, UNLABELLED_TEAM) // a party of its own channel, unlabelled
    teamOf.set(vault, 'treasury')

    async function receiptFees(from: number, to: number): Promise<ReceiptFees> {
      const targets = new Set<string>([
        bed.factory.toLowerCase(),
        ...Object.values(ch),
        lonerChannel.toLowerCase(),
        wallet.address,
      ])
      const out: ReceiptFees = {
        total: zero(),
        byTeam: new Map(),
        byPayer: new Map(),
        outside: 0n,
        transactions: 0,
      }
      const last = await chain.publicClient.getBlockNumber({ cacheTime: 0 })
      for (let n = chain.factoryBlock; n <= last; n++) {
        const block = await chain.publicClient.getBlock({ blockNumber: n, includeTransactions: true })
        const time = Number(block.timestamp)
        if (time < from || time >= to) continue
        for (const tx of block.transactions) {
          const to = tx.to?.toLowerCase()
          const receipt = await chain.publicClient.getTransactionReceipt({ hash: tx.hash })
          const deploysFactory = !to && receipt.contractAddress?.toLowerCase() === bed.factory.toLowerCase()
          if (!deploysFactory && !(to && targets.has(to))) continue
          const fee = receipt.gasUsed * receipt.effectiveGasPrice
          const abi =
            to === bed.factory.toLowerCase()
              ? intermediaryFactoryAbi
              : to === wallet.address
                ? wallet.abi
                : intermediaryAbi
          const action: OverheadAction = deploysFactory ? 'other' : actionOf(tx.input, abi as Abi)
          const payer = tx.from.toLowerCase()
          out.transactions++
          out.total[action] += fee
          const team = teamOf.get(payer)
          if (team === undefined) {
            out.outside += fee
            continue
          }
          for (const [map, key] of [
            [out.byTeam, team],
            [out.byPayer, payer],
          ] as const) {
            const sums = map.get(key) ?? zero()
            sums[action] += fee
            map.set(key, sums)
          }
        }
      }
      return out
    }

    return {
      ...bed,
      loner,
      lonerChannel: lonerChannel.toLowerCase() as Address,
      stranger,
      vault,
      vaultWallet: wallet.address,
      laterFrom,
      receiptFees,
    }
  } catch (error) {
    await bed.stop()
    throw error
  }
}

/** The action of a call, by the name of the function it calls in `abi`. */
function actionOf(input: Hex, abi: Abi): OverheadAction {
  const { functionName } = decodeFunctionData({ abi, data: input })
  return ACTION_OF_FUNCTION[functionName] ?? 'other'
}

/**
 * `owner`'s contract wallet (deployed by it), a channel it opens through it to `provider` and a
 * deposit into that channel through it: the channel sees only the wallet.
 */
async function walletChannel(bed: CostsTestbed, owner: Account, provider: Address) {
  const { chain, factory } = bed
  const { abi, bytecode } = compileSolidity(
    path.join(import.meta.dirname, '../../../test/kit/contracts/ConsumerWallet.sol'),
    'ConsumerWallet',
  )
  const deployed = await chain.mined(await chain.wallet(owner).deployContract({ abi, bytecode, chain: null }))
  const address = deployed.contractAddress!.toLowerCase() as Address
  const write = async (functionName: string, args: unknown[], value: bigint) =>
    chain.mined(
      await chain
        .wallet(owner)
        .writeContract({ address, abi, functionName, args, value, chain: null } as never),
    )
  const opened = await write('open', [factory, provider], 9_000n)
  expect(opened.status).toBe('success')
  // The channel's constructor logs Deposited from the channel's own address.
  const channel = opened.logs.find((l) => l.address.toLowerCase() !== factory.toLowerCase())!.address
  expect((await write('fund', [channel], 4_000n)).status).toBe('success')
  return { address, abi, channel: channel.toLowerCase() as Address }
}

/** The sum of a record's actions. */
export const sumOf = (fees: ByAction): bigint => OVERHEAD_ACTIONS.reduce((s, a) => s + fees[a], 0n)

/** A ByAction as the API answers it (decimal strings). */
export const asStrings = (fees: ByAction) =>
  Object.fromEntries(OVERHEAD_ACTIONS.map((a) => [a, fees[a].toString()])) as Record<OverheadAction, string>
