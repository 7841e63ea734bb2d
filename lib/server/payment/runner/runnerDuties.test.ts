import { describe, expect, it } from 'vitest'
import { consumerDuties, providerDuties } from './runnerDuties'

const settings = { toleranceSeconds: 30, redeemAfterSeconds: 3_600, redeemValue: 10n ** 18n }
const channel = { redemptionTimeout: 60n, costPerRequest: 1_000n }
const open = {
  terminated: false,
  providerFunds: 0n,
  consumerFunds: 1_000_000n,
  expiringTokenId: 0n,
  redeemableAt: 0n,
  terminatesAt: 0n,
  activeTokenId: 1n,
  lastTokenId: 1n,
}
const NOW_MS = 1_700_000_000_000
/** Accepted up to `highest` of the active token ID, first `ageSeconds` ago. */
const accepted = (highest: bigint, ageSeconds = 0) => ({
  highest,
  firstAcceptedAt: new Date(NOW_MS - ageSeconds * 1000),
})
const provider = ({
  state = open,
  now = 1_000,
  blockTimestamp = 1_000n,
  active = null as ReturnType<typeof accepted> | null,
  redeemValue = settings.redeemValue,
} = {}) =>
  providerDuties({
    state,
    blockTimestamp,
    now,
    nowMs: NOW_MS,
    channel,
    active,
    settings: { ...settings, redeemValue },
  })

describe('providerDuties()', () => {
  it('providerDuties() starts a redemption when the active token is old or large enough, else waits', () => {
    expect(provider()).toEqual([])
    expect(provider({ active: accepted(5n, 3_599) })).toEqual([])
    expect(provider({ active: accepted(5n, 3_600) })).toEqual([
      { kind: 'startRedemption', label: 'startRedemption', nextTokenId: 2n },
    ])
    expect(provider({ active: accepted(5n), redeemValue: 5_000n })).toEqual([
      { kind: 'startRedemption', label: 'startRedemption', nextTokenId: 2n },
    ])
    expect(provider({ active: accepted(0n, 7_200) })).toEqual([])
  })

  it('providerDuties() redeems the expiring token ID once its window closed and the contract allows it', () => {
    // Redemption started at 1000: the window closes at 1030, the contract allows it from 1060.
    const redeeming = {
      ...open,
      activeTokenId: 2n,
      lastTokenId: 2n,
      expiringTokenId: 1n,
      redeemableAt: 1_060n,
    }
    expect(provider({ state: redeeming, now: 1_029, blockTimestamp: 1_060n })).toEqual([])
    expect(provider({ state: redeeming, now: 1_061, blockTimestamp: 1_059n })).toEqual([])
    expect(
      provider({ state: redeeming, now: 1_061, blockTimestamp: 1_060n, active: accepted(9n, 9_999) }),
    ).toEqual([{ kind: 'redeem', label: 'redeem', tokenId: 1n }])
  })

  it('providerDuties() puts the last token into redemption on termination, or terminates when it is worth nothing', () => {
    const terminating = { ...open, terminatesAt: 1_600n }
    expect(provider({ state: terminating, active: accepted(5n) })).toEqual([
      { kind: 'startRedemption', label: 'startRedemption (termination)', nextTokenId: 2n },
    ])
    expect(provider({ state: terminating })).toEqual([{ kind: 'terminate', label: 'terminate' }])
    expect(provider({ state: { ...terminating, activeTokenId: 0n }, active: accepted(5n) })).toEqual([
      { kind: 'terminate', label: 'terminate' },
    ])
  })

  it('providerDuties() withdraws the earnings of a terminated channel once', () => {
    const terminated = { ...open, terminated: true, activeTokenId: 0n }
    expect(provider({ state: { ...terminated, providerFunds: 5_000n } })).toEqual([
      { kind: 'withdraw', label: 'withdraw' },
    ])
    expect(provider({ state: terminated })).toEqual([])
  })
})

describe('consumerDuties()', () => {
  const autoFund = { threshold: 500_000n, amount: 2_000_000n }
  const consumer = ({
    state = open,
    blockTimestamp = 1_000n,
    fund = autoFund as typeof autoFund | null,
    issued = 0n,
  } = {}) =>
    consumerDuties({
      state,
      blockTimestamp,
      channel: { costPerRequest: 1_000n, autoFund: fund },
      issuedRequests: issued,
    })

  it('consumerDuties() deposits the auto-funding amount once the funds left after what was issued fall below the threshold', () => {
    expect(consumer({ issued: 500n })).toEqual([])
    expect(consumer({ issued: 501n })).toEqual([
      { kind: 'deposit', label: 'deposit (auto-funding)', amount: 2_000_000n },
    ])
    expect(consumer({ issued: 900n, fund: null })).toEqual([])
  })

  it('consumerDuties() terminates after the termination deadline and then withdraws the refund', () => {
    const terminating = { ...open, terminatesAt: 1_600n }
    expect(consumer({ state: terminating, blockTimestamp: 1_599n, issued: 900n })).toEqual([])
    expect(consumer({ state: terminating, blockTimestamp: 1_600n })).toEqual([
      { kind: 'terminate', label: 'terminate' },
    ])
    expect(consumer({ state: { ...terminating, terminated: true } })).toEqual([
      { kind: 'withdraw', label: 'withdraw (refund)' },
    ])
    expect(consumer({ state: { ...terminating, terminated: true, consumerFunds: 0n } })).toEqual([])
  })
})
