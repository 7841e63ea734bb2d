import type { Address, Hex } from 'viem'
import { type Activity, plan } from './activity'
import { chain, roles } from './chain'

/** A decoded argument as the explorer API gives it: integers as decimal strings, hex lowercase. */
export type Arg = { name: string; type: string; value: string }

export type ExpectedEvent = { name: string; address: Address; args: Arg[] }

export type ExpectedTx = {
  /** What the test calls it (screenshot and test names). */
  label: string
  hash: Hex
  status: 'success' | 'reverted'
  source: 'index' | 'node'
  from: Address
  to: Address
  value: bigint
  call: { name: string; signature: string; args: Arg[] } | null
  events: ExpectedEvent[]
  revert: { name: string; args: Arg[] } | null
}

const lower = (a: string) => a.toLowerCase() as Address
const uint = (name: string, value: bigint): Arg => ({ name, type: 'uint256', value: value.toString() })
const address = (name: string, value: string): Arg => ({ name, type: 'address', value: lower(value) })

/**
 * What the explorer must show for each transaction of the activity, worked out from what the
 * spec sent (not from the explorer or the node), except the block times that `startRedemption`
 * puts into its event.
 */
export async function expectedTransactions(activity: Activity): Promise<ExpectedTx[]> {
  const { a } = plan
  const consumer = lower(roles.consumer.address)
  const provider = lower(roles.provider.address)
  const timeOf = async (hash: Hex) => {
    const receipt = await chain.getTransactionReceipt({ hash })
    return (await chain.getBlock({ blockNumber: receipt.blockNumber })).timestamp
  }
  const redeemedAmount = a.requests * a.costPerRequest
  const funds = a.firstDeposit + a.deposit
  return [
    {
      label: 'open',
      hash: activity.tx.openA,
      status: 'success',
      source: 'index',
      from: consumer,
      to: activity.factory,
      value: a.firstDeposit,
      call: {
        name: 'open',
        signature: 'open(address,uint256,uint256,uint256)',
        args: [
          address('provider', provider),
          uint('costPerRequest', a.costPerRequest),
          uint('redemptionTimeout', a.redemptionTimeout),
          uint('terminationTimeout', a.terminationTimeout),
        ],
      },
      events: [
        {
          name: 'Deposited',
          address: activity.channelA,
          args: [
            address('from', consumer),
            uint('amount', a.firstDeposit),
            uint('consumerFunds', a.firstDeposit),
          ],
        },
        {
          name: 'ChannelOpened',
          address: activity.factory,
          args: [
            address('channel', activity.channelA),
            address('consumer', consumer),
            address('provider', provider),
            uint('costPerRequest', a.costPerRequest),
            uint('redemptionTimeout', a.redemptionTimeout),
            uint('terminationTimeout', a.terminationTimeout),
          ],
        },
      ],
      revert: null,
    },
    {
      label: 'deposit',
      hash: activity.tx.depositA,
      status: 'success',
      source: 'index',
      from: consumer,
      to: activity.channelA,
      value: a.deposit,
      call: { name: 'deposit', signature: 'deposit()', args: [] },
      events: [
        {
          name: 'Deposited',
          address: activity.channelA,
          args: [address('from', consumer), uint('amount', a.deposit), uint('consumerFunds', funds)],
        },
      ],
      revert: null,
    },
    {
      label: 'startRedemption',
      hash: activity.tx.startRedemptionA,
      status: 'success',
      source: 'index',
      from: provider,
      to: activity.channelA,
      value: 0n,
      call: {
        name: 'startRedemption',
        signature: 'startRedemption(uint256)',
        args: [uint('newTokenId', a.newTokenId)],
      },
      events: [
        {
          name: 'RedemptionStarted',
          address: activity.channelA,
          args: [
            uint('expiringTokenId', 1n),
            uint('activeTokenId', a.newTokenId),
            uint('redeemableAt', (await timeOf(activity.tx.startRedemptionA)) + a.redemptionTimeout),
          ],
        },
      ],
      revert: null,
    },
    {
      label: 'redeem',
      hash: activity.tx.redeemA,
      status: 'success',
      source: 'index',
      from: provider,
      to: activity.channelA,
      value: 0n,
      call: {
        name: 'redeem',
        signature: 'redeem(uint256,bytes)',
        args: [uint('requests', a.requests), { name: 'signature', type: 'bytes', value: activity.signature }],
      },
      events: [
        {
          name: 'Redeemed',
          address: activity.channelA,
          args: [
            uint('tokenId', 1n),
            uint('requests', a.requests),
            uint('amount', redeemedAmount),
            uint('consumerFunds', funds - redeemedAmount),
            uint('providerFunds', redeemedAmount),
          ],
        },
      ],
      revert: null,
    },
    {
      label: 'failed deposit',
      hash: activity.tx.failedDeposit,
      status: 'reverted',
      source: 'index',
      from: lower(roles.stranger.address),
      to: activity.channelA,
      value: plan.strangerDeposit,
      call: { name: 'deposit', signature: 'deposit()', args: [] },
      events: [],
      revert: { name: 'NotConsumer', args: [] },
    },
    {
      label: 'ether transfer',
      hash: activity.tx.transfer,
      status: 'success',
      source: 'node',
      from: lower(roles.payer.address),
      to: lower(roles.payee.address),
      value: plan.transfer,
      call: null,
      events: [],
      revert: null,
    },
  ]
}
