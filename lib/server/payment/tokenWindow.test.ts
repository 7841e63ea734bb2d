import type { Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { checkTokenWindow, issuableTokenId } from './tokenWindow'

const channel = { address: '0x00000000000000000000000000000000000000cc' as Address, redemptionTimeout: 60n }
const open = {
  terminated: false,
  terminatesAt: 0n,
  activeTokenId: 1n,
  expiringTokenId: 0n,
  redeemableAt: 0n,
  lastTokenId: 1n,
}
/** Token ID 1 in redemption since 1000 (redeemable at 1060), 2 active. */
const redeeming = { ...open, activeTokenId: 2n, expiringTokenId: 1n, redeemableAt: 1060n, lastTokenId: 2n }
const check = (tokenId: bigint, state: typeof open, now = 1_000) =>
  checkTokenWindow({ tokenId, channel, state, toleranceSeconds: 30, now: () => now })

describe('checkTokenWindow()', () => {
  it('checkTokenWindow() takes the active token ID', () => {
    expect(check(1n, open)).toBeNull()
    expect(check(2n, redeeming)).toBeNull()
  })

  it('checkTokenWindow() takes the expiring token ID until its tolerance window closes', () => {
    expect(check(1n, redeeming, 1_029.9)).toBeNull()
    expect(check(1n, redeeming, 1_030)).toEqual({
      accepted: false,
      status: 402,
      code: 'token_expired',
      message: 'Token ID 1 is being redeemed and its tolerance window has closed.',
    })
  })

  it('checkTokenWindow() refuses an ID never issued as token_id_unknown and an older one as token_expired', () => {
    expect(check(3n, redeeming)).toMatchObject({
      code: 'token_id_unknown',
      message: `Token ID 3 was never issued on channel ${channel.address}.`,
    })
    expect(check(1n, { ...open, activeTokenId: 3n, lastTokenId: 3n })).toMatchObject({
      code: 'token_expired',
      message: `Token ID 1 of channel ${channel.address} is no longer active.`,
    })
  })

  it('checkTokenWindow() refuses every token of a terminating or terminated channel', () => {
    expect(check(1n, { ...open, terminatesAt: 2_000n })).toMatchObject({ code: 'channel_terminating' })
    expect(check(1n, { ...open, terminated: true, terminatesAt: 2_000n })).toMatchObject({
      code: 'channel_terminated',
      message: `Channel ${channel.address} is terminated.`,
    })
  })
})

describe('issuableTokenId()', () => {
  it('issuableTokenId() is the active token ID, while a redemption runs too', () => {
    expect(issuableTokenId({ address: channel.address, state: open })).toBe(1n)
    expect(issuableTokenId({ address: channel.address, state: redeeming })).toBe(2n)
  })

  it('issuableTokenId() refuses a terminating channel and a terminated one with 409', () => {
    expect(() => issuableTokenId({ address: channel.address, state: { ...open, terminatesAt: 5n } })).toThrow(
      expect.objectContaining({ code: 'channel_terminating', status: 409 }),
    )
    expect(() =>
      issuableTokenId({ address: channel.address, state: { ...open, terminated: true, activeTokenId: 0n } }),
    ).toThrow(
      expect.objectContaining({
        code: 'channel_terminated',
        message: `Channel ${channel.address} is terminated; open a new one.`,
      }),
    )
  })
})
