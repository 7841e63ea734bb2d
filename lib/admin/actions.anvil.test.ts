import type { Address, LocalAccount, PublicClient } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryAbi } from '../../contracts/generated'
import { signToken } from '../../packages/payment-client/src/token'
import { type ChannelTestbed, type Party, startChannelTestbed } from '../../test/kit/testbed'
import { readChannelState } from '../channel'
import { contractErrorOf } from '../contractErrors'
import { type ActionAvailability, type ChannelActionId, channelActions } from './actions'
import { NOT_PARTY } from './testing'

/*
 * channelActions on a real channel driven through its whole life on anvil: every verdict is
 * compared with a simulation of the same call by the same account at the same block time (the
 * verdicts phase by phase on hand-made states: actions.test.ts).
 */

describe('channelActions against the contract on anvil', () => {
  let t: ChannelTestbed

  beforeAll(async () => {
    t = await startChannelTestbed()
  })
  afterAll(async () => t?.stop())

  const client = () => t.publicClient as unknown as PublicClient

  /** Mines an empty block at `timestamp`, so the chain clock reads exactly that. */
  async function mineAt(timestamp: bigint) {
    await t.testClient.setNextBlockTimestamp({ timestamp })
    await t.testClient.mine({ blocks: 1 })
  }

  /** The contract's verdict on one action by one account at block time `now`: null or the error sentence. */
  async function simulate(
    who: LocalAccount,
    channel: Address,
    id: ChannelActionId,
    lastTokenId: bigint,
    now: bigint,
  ) {
    // A v1 channel's actions only (a v2 channel's: walletV2.anvil.test.ts).
    const calls: Partial<Record<ChannelActionId, { functionName: string; args: unknown[]; value?: bigint }>> =
      {
        deposit: { functionName: 'deposit', args: [], value: 1n },
        startRedemption: { functionName: 'startRedemption', args: [lastTokenId + 1n] },
        redeem: { functionName: 'redeem', args: [0n, '0x'] },
        withdraw: { functionName: 'withdraw', args: [] },
        startTermination: { functionName: 'startTermination', args: [] },
        terminate: { functionName: 'terminate', args: [] },
      }
    const call = calls[id]
    if (!call) throw new Error(`${id} is not an action of a version 1 channel`)
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
    const accounts = t.parties
    const seen: unknown[] = []
    const wanted: unknown[] = []
    const allowed: Record<Party, ChannelActionId[]> = { consumer: [], provider: [], stranger: [] }
    const timed: { who: Party; action: ActionAvailability }[] = []
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

    await t.send(t.provider, channel, 'startRedemption', [r.state.lastTokenId + 1n])
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
      account: t.consumer,
      chainId: t.chain.id,
      channel,
      tokenId: 1n,
      requests: 7n,
    })
    await t.send(t.provider, channel, 'redeem', [token.requests, token.signature])
    r = await check('redeemed', channel)
    expect(r.state.providerFunds).toBe(7_000_000_000n)
    expect(r.allowed).toEqual({
      consumer: ['deposit', 'startTermination'],
      provider: ['startRedemption', 'withdraw', 'terminate'],
      stranger: [],
    })

    await t.send(t.provider, channel, 'withdraw')
    r = await check('provider withdrew', channel)
    expect(r.allowed.provider).toEqual(['startRedemption', 'terminate'])

    await t.send(t.provider, channel, 'startRedemption', [r.state.lastTokenId + 1n])
    await t.send(t.consumer, channel, 'startTermination')
    r = await check('terminating with a redemption pending', channel)
    expect(r.allowed).toEqual({ consumer: [], provider: ['terminate'], stranger: [] })
    const terminatesAt = r.state.terminatesAt
    expect(terminatesAt).toBe(r.now + 600n)

    await mineAt(r.state.redeemableAt)
    r = await check('terminating, redemption due', channel)
    expect(r.allowed).toEqual({ consumer: [], provider: ['redeem', 'terminate'], stranger: [] })

    const second = await signToken({
      account: t.consumer,
      chainId: t.chain.id,
      channel,
      tokenId: 2n,
      requests: 5n,
    })
    await t.send(t.provider, channel, 'redeem', [second.requests, second.signature])
    r = await check('terminating, redeemed', channel)
    expect(r.state.activeTokenId).toBe(3n)
    expect(r.allowed.provider).toEqual(['startRedemption', 'withdraw', 'terminate'])

    // During termination the last active token goes into redemption and none replaces it.
    await t.send(t.provider, channel, 'startRedemption', [99n])
    r = await check('terminating, last token in redemption', channel)
    expect({ active: r.state.activeTokenId, expiring: r.state.expiringTokenId }).toEqual({
      active: 0n,
      expiring: 3n,
    })
    expect(r.allowed.provider).toEqual(['withdraw', 'terminate'])

    await mineAt(r.state.redeemableAt)
    await t.send(t.provider, channel, 'redeem', [0n, '0x'])
    r = await check('terminating, no active token', channel)
    expect(r.allowed).toEqual({ consumer: [], provider: ['withdraw', 'terminate'], stranger: [] })

    await mineAt(terminatesAt - 1n)
    r = await check('terminating, 1 s before the deadline', channel)
    expect(r.allowed.consumer).toEqual([])

    await mineAt(terminatesAt)
    r = await check('terminating, at the deadline', channel)
    expect(r.allowed.consumer).toEqual(['terminate'])

    await t.send(t.consumer, channel, 'terminate')
    r = await check('terminated with funds', channel)
    expect({ consumerFunds: r.state.consumerFunds, providerFunds: r.state.providerFunds }).toEqual({
      consumerFunds: 10n ** 18n - 12_000_000_000n,
      providerFunds: 5_000_000_000n,
    })
    expect(r.allowed).toEqual({ consumer: ['withdraw'], provider: ['withdraw'], stranger: [] })

    await t.send(t.consumer, channel, 'withdraw')
    r = await check('terminated, consumer withdrew', channel)
    expect(r.allowed).toEqual({ consumer: [], provider: ['withdraw'], stranger: [] })

    await t.send(t.provider, channel, 'withdraw')
    r = await check('terminated, nothing left', channel)
    expect(r.allowed).toEqual({ consumer: [], provider: [], stranger: [] })
  })

  it('channelActions() agrees with the contract when the provider terminates an empty channel at once', async () => {
    const { channel } = await t.openChannel({ value: 0n })
    let r = await check('open, empty', channel)
    expect(r.allowed).toEqual({
      consumer: ['deposit', 'startTermination'],
      provider: ['startRedemption', 'terminate'],
      stranger: [],
    })
    await t.send(t.provider, channel, 'terminate')
    r = await check('terminated by the provider, empty', channel)
    expect(r.state.terminatesAt).toBe(0n)
    expect(r.allowed).toEqual({ consumer: [], provider: [], stranger: [] })
  })

  it('channelActions() agrees with the contract when the provider terminates a funded channel with a redemption pending', async () => {
    const { channel } = await t.openChannel({ value: 5_000n })
    await t.send(t.provider, channel, 'startRedemption', [2n])
    let r = await check('redeeming', channel)
    expect(r.allowed.provider).toEqual(['terminate'])
    await t.send(t.provider, channel, 'terminate')
    r = await check('terminated by the provider, funded', channel)
    expect({ expiring: r.state.expiringTokenId, redeemableAt: r.state.redeemableAt }).toEqual({
      expiring: 0n,
      redeemableAt: 0n,
    })
    expect(r.allowed).toEqual({ consumer: ['withdraw'], provider: [], stranger: [] })
  })
})
