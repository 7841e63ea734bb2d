import { type Address, getAddress, type LocalAccount, type PublicClient } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryAbi } from '../../contracts/generated'
import { startTestChain, type TestChain } from '../../test/kit/chain'
import { readChannelState } from '../channel'
import { contractErrorOf, contractErrorSentence } from '../contractErrors'
import { signToken } from '../token'
import {
  type ActionAvailability,
  type ActionState,
  type ChannelActionId,
  channelActions,
  roleOf,
} from './actions'

/*
 * Which channel actions the dashboard offers to whom, and why not: first phase by phase and role
 * on hand-made states, then on a real channel driven through its whole life on anvil, where every
 * verdict of channelActions is compared with a simulation of the same call by the same account at
 * the same block time.
 */

/** 2100-01-01T00:00:00Z: a fixed chain time, so sentences that carry a time are exact. */
const T0 = 4_102_444_800n

const CONSUMER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address
const PROVIDER = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' as Address
const STRANGER = '0x90f79bf6eb2c4f870365e785982e1f101e93b906' as Address

const IDS: ChannelActionId[] = [
  'deposit',
  'startRedemption',
  'redeem',
  'withdraw',
  'startTermination',
  'terminate',
]

const NOT_PARTY = `The connected account is neither this channel's consumer nor its provider. ${contractErrorSentence('NotParty')}`

const open: ActionState = {
  consumer: CONSUMER,
  provider: PROVIDER,
  consumerFunds: 1_000_000n,
  providerFunds: 0n,
  activeTokenId: 1n,
  expiringTokenId: 0n,
  redeemableAt: 0n,
  terminatesAt: 0n,
  terminated: false,
}

/** channelActions as a map from action id to [reason, dueAt], checking the order of the list. */
function actions(state: ActionState, account: Address | null | undefined, now = T0) {
  const list = channelActions({ state, account, now })
  expect(list.map((a) => a.id)).toEqual(IDS)
  return Object.fromEntries(list.map((a) => [a.id, [a.reason, a.dueAt]])) as Record<
    ChannelActionId,
    [string | null, bigint | null]
  >
}

const OK: [null, null] = [null, null]
const no = (
  name: string,
  args: readonly unknown[] = [],
  dueAt: bigint | null = null,
): [string, bigint | null] => [contractErrorSentence(name, args), dueAt]

describe('roleOf', () => {
  it('roleOf() tells consumer, provider, stranger and no account apart, whatever the letter case', () => {
    expect(roleOf(open, getAddress(CONSUMER))).toBe('consumer')
    expect(roleOf({ consumer: getAddress(CONSUMER), provider: PROVIDER }, CONSUMER)).toBe('consumer')
    expect(roleOf(open, PROVIDER.toUpperCase().replace('0X', '0x') as Address)).toBe('provider')
    expect(roleOf(open, STRANGER)).toBe('stranger')
    expect(roleOf(open, null)).toBe('none')
    expect(roleOf(open, undefined)).toBe('none')
  })
})

describe('channelActions', () => {
  it('channelActions() asks to connect a wallet for every action when no account is connected', () => {
    const expected = Object.fromEntries(
      IDS.map((id) => [id, ['Connect a wallet to act on this channel.', null]]),
    )
    expect(actions(open, null)).toEqual(expected)
    expect(actions(open, undefined)).toEqual(expected)
  })

  it('channelActions() refuses every action to a stranger, in every phase', () => {
    const expected = Object.fromEntries(IDS.map((id) => [id, [NOT_PARTY, null]]))
    expect(NOT_PARTY).toBe(
      "The connected account is neither this channel's consumer nor its provider. Only the channel's consumer or provider can do this.",
    )
    expect(actions(open, STRANGER)).toEqual(expected)
    expect(actions({ ...open, terminated: true, consumerFunds: 5n, providerFunds: 5n }, STRANGER)).toEqual(
      expected,
    )
    expect(actions({ ...open, terminatesAt: T0 - 1n }, STRANGER)).toEqual(expected)
  })

  it('channelActions() lets the consumer deposit and start termination of an open channel', () => {
    expect(actions(open, CONSUMER)).toEqual({
      deposit: OK,
      startRedemption: no('NotProvider'),
      redeem: no('NotProvider'),
      withdraw: no('NotTerminated'),
      startTermination: OK,
      terminate: no('TerminationNotStarted'),
    })
  })

  it('channelActions() lets the provider start a redemption and terminate an open channel at once', () => {
    expect(actions(open, PROVIDER)).toEqual({
      deposit: no('NotConsumer'),
      startRedemption: OK,
      redeem: no('NoRedemptionPending'),
      withdraw: no('NothingToWithdraw'),
      startTermination: no('NotConsumer'),
      terminate: OK,
    })
  })

  it('channelActions() lets the provider withdraw its earnings whenever it has some', () => {
    expect(actions({ ...open, providerFunds: 1n }, PROVIDER).withdraw).toEqual(OK)
    expect(actions({ ...open, providerFunds: 1n, terminatesAt: T0 + 10n }, PROVIDER).withdraw).toEqual(OK)
    expect(actions({ ...open, providerFunds: 1n, terminated: true }, PROVIDER).withdraw).toEqual(OK)
    expect(actions({ ...open, providerFunds: 0n, terminated: true }, PROVIDER).withdraw).toEqual(
      no('NothingToWithdraw'),
    )
  })

  it('channelActions() refuses redeem before redeemableAt with the RedemptionNotDue sentence and dueAt set exactly', () => {
    const redeeming: ActionState = { ...open, activeTokenId: 2n, expiringTokenId: 1n, redeemableAt: T0 + 60n }
    expect(actions(redeeming, PROVIDER, T0 + 59n)).toEqual({
      deposit: no('NotConsumer'),
      startRedemption: no('RedemptionPending', [1n]),
      redeem: ['The token can be redeemed only after 2100-01-01T00:01:00Z.', T0 + 60n],
      withdraw: no('NothingToWithdraw'),
      startTermination: no('NotConsumer'),
      terminate: OK,
    })
    expect(actions(redeeming, PROVIDER, T0 + 59n).startRedemption).toEqual([
      'Token 1 is already being redeemed; complete that redemption first.',
      null,
    ])
    expect(actions(redeeming, PROVIDER, T0 + 60n).redeem).toEqual(OK)
    expect(actions(redeeming, PROVIDER, T0 + 3_600n).redeem).toEqual(OK)
    expect(actions(redeeming, CONSUMER, T0 + 59n)).toEqual({
      deposit: OK,
      startRedemption: no('NotProvider'),
      redeem: no('NotProvider'),
      withdraw: no('NotTerminated'),
      startTermination: OK,
      terminate: no('TerminationNotStarted'),
    })
  })

  it('channelActions() refuses the consumer terminate before the deadline with dueAt set, and allows it at the deadline', () => {
    const terminating: ActionState = { ...open, terminatesAt: T0 + 600n }
    expect(actions(terminating, CONSUMER, T0 + 599n)).toEqual({
      deposit: no('TerminationAlreadyStarted'),
      startRedemption: no('NotProvider'),
      redeem: no('NotProvider'),
      withdraw: [contractErrorSentence('NotTerminated'), null],
      startTermination: no('TerminationAlreadyStarted'),
      terminate: ['The consumer can terminate only after 2100-01-01T00:10:00Z.', T0 + 600n],
    })
    expect(actions(terminating, CONSUMER, T0 + 600n).terminate).toEqual(OK)
    expect(actions(terminating, CONSUMER, T0 + 601n).terminate).toEqual(OK)
  })

  it('channelActions() lets the provider redeem and terminate at once while termination runs', () => {
    const terminating: ActionState = { ...open, terminatesAt: T0 + 600n }
    expect(actions(terminating, PROVIDER, T0)).toEqual({
      deposit: no('NotConsumer'),
      startRedemption: OK,
      redeem: no('NoRedemptionPending'),
      withdraw: no('NothingToWithdraw'),
      startTermination: no('NotConsumer'),
      terminate: OK,
    })
    const lastInRedemption: ActionState = {
      ...terminating,
      activeTokenId: 0n,
      expiringTokenId: 3n,
      redeemableAt: T0 + 60n,
    }
    expect(actions(lastInRedemption, PROVIDER, T0 + 60n)).toEqual({
      deposit: no('NotConsumer'),
      startRedemption: no('RedemptionPending', [3n]),
      redeem: OK,
      withdraw: no('NothingToWithdraw'),
      startTermination: no('NotConsumer'),
      terminate: OK,
    })
    expect(actions({ ...terminating, activeTokenId: 0n }, PROVIDER, T0).startRedemption).toEqual(
      no('NoActiveToken'),
    )
  })

  it('channelActions() leaves only withdrawals of a terminated channel with funds', () => {
    const terminated: ActionState = {
      ...open,
      consumerFunds: 400n,
      providerFunds: 600n,
      activeTokenId: 0n,
      terminatesAt: T0 - 10n,
      terminated: true,
    }
    expect(actions(terminated, CONSUMER)).toEqual({
      deposit: no('AlreadyTerminated'),
      startRedemption: no('NotProvider'),
      redeem: no('NotProvider'),
      withdraw: OK,
      startTermination: no('AlreadyTerminated'),
      terminate: no('AlreadyTerminated'),
    })
    expect(actions(terminated, PROVIDER)).toEqual({
      deposit: no('NotConsumer'),
      startRedemption: no('AlreadyTerminated'),
      redeem: no('AlreadyTerminated'),
      withdraw: OK,
      startTermination: no('NotConsumer'),
      terminate: no('AlreadyTerminated'),
    })
  })

  it('channelActions() leaves nothing to do on a terminated channel without funds', () => {
    const empty: ActionState = { ...open, consumerFunds: 0n, activeTokenId: 0n, terminated: true }
    expect(actions(empty, CONSUMER).withdraw).toEqual(no('NothingToWithdraw'))
    expect(actions(empty, PROVIDER).withdraw).toEqual(no('NothingToWithdraw'))
    const allowed = (account: Address) =>
      channelActions({ state: empty, account, now: T0 })
        .filter((a) => a.reason === null)
        .map((a) => a.id)
    expect(allowed(CONSUMER)).toEqual([])
    expect(allowed(PROVIDER)).toEqual([])
    // Terminated by the provider before the consumer announced it: terminatesAt is still 0.
    expect(actions({ ...empty, consumerFunds: 9n }, CONSUMER).withdraw).toEqual(OK)
  })

  it('channelActions() refuses the consumer withdraw of an open channel without a due time', () => {
    expect(actions({ ...open, consumerFunds: 0n }, CONSUMER).withdraw).toEqual(no('NotTerminated'))
  })
})

/* ---------------------------------------------------------------------------------------------- */
/* Against the contract                                                                           */
/* ---------------------------------------------------------------------------------------------- */

describe('channelActions against the contract on anvil', () => {
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
  afterAll(async () => t?.stop())

  const client = () => t.publicClient as unknown as PublicClient

  async function send(
    account: LocalAccount,
    address: Address,
    functionName: string,
    args: readonly unknown[] = [],
  ) {
    return t.mined(
      await t.wallet(account).writeContract({
        address,
        abi: intermediaryAbi,
        functionName: functionName as 'withdraw',
        args: args as [],
      }),
    )
  }

  /** Mines an empty block at `timestamp`, so the chain clock reads exactly that. */
  async function mineAt(timestamp: bigint) {
    await t.testClient.setNextBlockTimestamp({ timestamp })
    await t.testClient.mine({ blocks: 1 })
  }

  type Who = 'consumer' | 'provider' | 'stranger'

  /** The contract's verdict on one action by one account at block time `now`: null or the error sentence. */
  async function simulate(
    who: LocalAccount,
    channel: Address,
    id: ChannelActionId,
    lastTokenId: bigint,
    now: bigint,
  ) {
    const call = {
      deposit: { functionName: 'deposit', args: [], value: 1n },
      startRedemption: { functionName: 'startRedemption', args: [lastTokenId + 1n] },
      redeem: { functionName: 'redeem', args: [0n, '0x'] },
      withdraw: { functionName: 'withdraw', args: [] },
      startTermination: { functionName: 'startTermination', args: [] },
      terminate: { functionName: 'terminate', args: [] },
    }[id]
    try {
      await t.publicClient.simulateContract({
        account: who,
        address: channel,
        abi: intermediaryAbi,
        ...call,
        blockOverrides: { time: now },
      } as unknown as Parameters<typeof t.publicClient.simulateContract>[0])
      return null
    } catch (error) {
      const decoded = contractErrorOf(error)
      if (!decoded) throw error
      return decoded.message
    }
  }

  /**
   * At the latest block: for consumer, provider and a stranger, every action's UI reason next to
   * the contract's verdict. A party's reason must be the contract's own sentence (null when the
   * call succeeds); a stranger is refused exactly when the contract refuses. Returns the actions
   * each party may take, and checks each time-based dueAt against the contract at dueAt - 1 and dueAt.
   */
  async function check(step: string, channel: Address) {
    const block = await t.publicClient.getBlock({ blockTag: 'latest' })
    const now = block.timestamp
    const state = await readChannelState({ client: client(), address: channel, blockNumber: block.number })
    const accounts: Record<Who, LocalAccount> = { consumer, provider, stranger }
    const seen: unknown[] = []
    const wanted: unknown[] = []
    const allowed: Record<Who, ChannelActionId[]> = { consumer: [], provider: [], stranger: [] }
    const timed: { who: Who; action: ActionAvailability }[] = []
    for (const who of ['consumer', 'provider', 'stranger'] as const) {
      const account = accounts[who]
      for (const action of channelActions({ state, account: account.address, now })) {
        const contract = await simulate(account, channel, action.id, state.lastTokenId, now)
        seen.push({ step, who, id: action.id, ui: action.reason })
        wanted.push({
          step,
          who,
          id: action.id,
          ui: who === 'stranger' ? (contract === null ? null : NOT_PARTY) : contract,
        })
        if (action.reason === null) allowed[who].push(action.id)
        if (action.dueAt !== null) timed.push({ who, action })
      }
    }
    expect(seen).toEqual(wanted)
    for (const { who, action } of timed) {
      const at = action.dueAt as bigint
      expect({ step, who, id: action.id, dueAt: at > now }).toEqual({ step, who, id: action.id, dueAt: true })
      const before = await simulate(accounts[who], channel, action.id, state.lastTokenId, at - 1n)
      const due = await simulate(accounts[who], channel, action.id, state.lastTokenId, at)
      expect({ step, who, id: action.id, before, due }).toEqual({
        step,
        who,
        id: action.id,
        before: action.reason,
        due: null,
      })
    }
    return { allowed, state, now }
  }

  it('channelActions() agrees with the contract for every action, party and stranger through a channel life', async () => {
    const { channel } = await t.openChannel({
      factory,
      consumer,
      provider: provider.address,
      costPerRequest: 1_000_000_000n,
      redemptionTimeout: 60n,
      terminationTimeout: 600n,
      value: 10n ** 18n,
    })

    let r = await check('open', channel)
    expect(r.allowed).toEqual({
      consumer: ['deposit', 'startTermination'],
      provider: ['startRedemption', 'terminate'],
      stranger: [],
    })

    await send(provider, channel, 'startRedemption', [r.state.lastTokenId + 1n])
    r = await check('redeeming, just started', channel)
    expect(r.allowed).toEqual({
      consumer: ['deposit', 'startTermination'],
      provider: ['terminate'],
      stranger: [],
    })
    const firstDue = r.state.redeemableAt
    expect(firstDue).toBe(r.now + 60n)

    await mineAt(firstDue - 1n)
    r = await check('redeeming, 1 s before redeemableAt', channel)
    expect(r.allowed.provider).toEqual(['terminate'])

    await mineAt(firstDue)
    r = await check('redeeming, at redeemableAt', channel)
    expect(r.allowed.provider).toEqual(['redeem', 'terminate'])

    const token = await signToken({
      account: consumer,
      chainId: t.chain.id,
      channel,
      tokenId: 1n,
      requests: 7n,
    })
    await send(provider, channel, 'redeem', [token.requests, token.signature])
    r = await check('redeemed', channel)
    expect(r.state.providerFunds).toBe(7_000_000_000n)
    expect(r.allowed).toEqual({
      consumer: ['deposit', 'startTermination'],
      provider: ['startRedemption', 'withdraw', 'terminate'],
      stranger: [],
    })

    await send(provider, channel, 'withdraw')
    r = await check('provider withdrew', channel)
    expect(r.allowed.provider).toEqual(['startRedemption', 'terminate'])

    await send(provider, channel, 'startRedemption', [r.state.lastTokenId + 1n])
    await send(consumer, channel, 'startTermination')
    r = await check('terminating with a redemption pending', channel)
    expect(r.allowed).toEqual({ consumer: [], provider: ['terminate'], stranger: [] })
    const terminatesAt = r.state.terminatesAt
    expect(terminatesAt).toBe(r.now + 600n)

    await mineAt(r.state.redeemableAt)
    r = await check('terminating, redemption due', channel)
    expect(r.allowed).toEqual({ consumer: [], provider: ['redeem', 'terminate'], stranger: [] })

    const second = await signToken({
      account: consumer,
      chainId: t.chain.id,
      channel,
      tokenId: 2n,
      requests: 5n,
    })
    await send(provider, channel, 'redeem', [second.requests, second.signature])
    r = await check('terminating, redeemed', channel)
    expect(r.state.activeTokenId).toBe(3n)
    expect(r.allowed.provider).toEqual(['startRedemption', 'withdraw', 'terminate'])

    // During termination the last active token goes into redemption and none replaces it.
    await send(provider, channel, 'startRedemption', [99n])
    r = await check('terminating, last token in redemption', channel)
    expect({ active: r.state.activeTokenId, expiring: r.state.expiringTokenId }).toEqual({
      active: 0n,
      expiring: 3n,
    })
    expect(r.allowed.provider).toEqual(['withdraw', 'terminate'])

    await mineAt(r.state.redeemableAt)
    await send(provider, channel, 'redeem', [0n, '0x'])
    r = await check('terminating, no active token', channel)
    expect(r.allowed).toEqual({ consumer: [], provider: ['withdraw', 'terminate'], stranger: [] })

    await mineAt(terminatesAt - 1n)
    r = await check('terminating, 1 s before the deadline', channel)
    expect(r.allowed.consumer).toEqual([])

    await mineAt(terminatesAt)
    r = await check('terminating, at the deadline', channel)
    expect(r.allowed.consumer).toEqual(['terminate'])

    await send(consumer, channel, 'terminate')
    r = await check('terminated with funds', channel)
    expect({ consumerFunds: r.state.consumerFunds, providerFunds: r.state.providerFunds }).toEqual({
      consumerFunds: 10n ** 18n - 12_000_000_000n,
      providerFunds: 5_000_000_000n,
    })
    expect(r.allowed).toEqual({ consumer: ['withdraw'], provider: ['withdraw'], stranger: [] })

    await send(consumer, channel, 'withdraw')
    r = await check('terminated, consumer withdrew', channel)
    expect(r.allowed).toEqual({ consumer: [], provider: ['withdraw'], stranger: [] })

    await send(provider, channel, 'withdraw')
    r = await check('terminated, nothing left', channel)
    expect(r.allowed).toEqual({ consumer: [], provider: [], stranger: [] })
  })

  it('channelActions() agrees with the contract when the provider terminates an empty channel at once', async () => {
    const { channel } = await t.openChannel({ factory, consumer, provider: provider.address, value: 0n })
    let r = await check('open, empty', channel)
    expect(r.allowed).toEqual({
      consumer: ['deposit', 'startTermination'],
      provider: ['startRedemption', 'terminate'],
      stranger: [],
    })
    await send(provider, channel, 'terminate')
    r = await check('terminated by the provider, empty', channel)
    expect(r.state.terminatesAt).toBe(0n)
    expect(r.allowed).toEqual({ consumer: [], provider: [], stranger: [] })
  })

  it('channelActions() agrees with the contract when the provider terminates a funded channel with a redemption pending', async () => {
    const { channel } = await t.openChannel({ factory, consumer, provider: provider.address, value: 5_000n })
    await send(provider, channel, 'startRedemption', [2n])
    let r = await check('redeeming', channel)
    expect(r.allowed.provider).toEqual(['terminate'])
    await send(provider, channel, 'terminate')
    r = await check('terminated by the provider, funded', channel)
    expect({ expiring: r.state.expiringTokenId, redeemableAt: r.state.redeemableAt }).toEqual({
      expiring: 0n,
      redeemableAt: 0n,
    })
    expect(r.allowed).toEqual({ consumer: ['withdraw'], provider: [], stranger: [] })
  })
})
