import type { Address, Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import type { AcceptedCounts } from '../../../counter'
import type { ChannelAcceptance, TokenAcceptance } from '../acceptanceStore'
import { type AcceptanceJob, decideAcceptance } from './decideAcceptance'

const address = '0x00000000000000000000000000000000000000cc' as Address
const signature = (n: number) => `0x${n.toString(16).padStart(130, '0')}` as Hex

/** A job for `requests` of `tokenId` (signed with signature(requests)) on a channel holding `funds` wei at 1,000 wei. */
function job(
  tokenId: bigint,
  requests: bigint,
  { funds = 1_000_000n, active = 1n, expiring = 0n } = {},
): AcceptanceJob {
  return {
    token: { tokenId, requests, signature: signature(Number(requests)) },
    channel: { address, costPerRequest: 1_000n },
    snapshot: { state: { activeTokenId: active, expiringTokenId: expiring, consumerFunds: funds } },
  }
}

const token = (counts: AcceptedCounts, extra: Partial<TokenAcceptance> = {}): TokenAcceptance => ({
  counts,
  signature: signature(Number(counts.highest)),
  accepted: 1n,
  closed: false,
  ...extra,
})
const state = (tokens: Array<[bigint, TokenAcceptance]> = []): ChannelAcceptance => ({
  version: 7n,
  tokens: new Map(tokens),
})
const decide = (jobs: AcceptanceJob[], from = state(), floor = 0n) =>
  decideAcceptance({ jobs, state: from, floor: () => floor, maxMissingRanges: 1_000 })
const codes = (d: ReturnType<typeof decide>) => d.outcomes.map((o) => (o.accepted ? 'accepted' : o.code))

describe('decideAcceptance()', () => {
  it('decideAcceptance() accepts new counts, keeps the signature of the highest, and leaves the state unchanged', () => {
    const before = state()
    const d = decide([job(1n, 5n), job(1n, 2n), job(1n, 5n), job(1n, 0n)], before)
    expect(codes(d)).toEqual(['accepted', 'accepted', 'count_already_accepted', 'zero_requests'])
    expect(d.outcomes[0]).toEqual({
      accepted: true,
      channel: address,
      tokenId: 1n,
      requests: 5n,
      value: 5_000n,
    })
    expect(d.changed.get(1n)).toEqual({
      counts: {
        highest: 5n,
        missing: [
          [1n, 1n],
          [3n, 4n],
        ],
        forgotten: 0n,
      },
      signature: signature(5),
      accepted: 2n,
      closed: false,
    })
    expect(d.tokens.get(1n)).toBe(d.changed.get(1n))
    expect(d.forgotten).toBe(0n)
    expect(before.tokens.size).toBe(0)
  })

  it('decideAcceptance() refuses a count that would owe more than the funds, with the expiring token ID counted', () => {
    const held = state([[1n, token({ highest: 4n, missing: [], forgotten: 0n })]])
    const on = { funds: 10_000n, active: 2n, expiring: 1n }
    const d = decide([job(2n, 7n, on), job(2n, 6n, on), job(1n, 5n, on), job(1n, 3n, on)], held)
    expect(codes(d)).toEqual([
      'insufficient_funds',
      'accepted',
      'insufficient_funds',
      'count_already_accepted',
    ])
    expect(d.outcomes[0]).toMatchObject({
      status: 402,
      message: "The channel's 10000 wei do not cover 11 requests at 1000 wei owed with this token.",
    })
    expect([...d.changed.keys()]).toEqual([2n])
  })

  it('decideAcceptance() refuses every count of a closed token ID as token_expired', () => {
    const closed = state([[1n, token({ highest: 4n, missing: [[2n, 2n]], forgotten: 0n }, { closed: true })]])
    const d = decide([job(1n, 2n), job(1n, 5n)], closed)
    expect(d.outcomes).toEqual([
      {
        accepted: false,
        status: 402,
        code: 'token_expired',
        message: 'Token ID 1 is being redeemed; tokens of it are no longer accepted.',
      },
      expect.objectContaining({ code: 'token_expired' }),
    ])
    expect(d.changed.size).toBe(0)
  })

  it('decideAcceptance() forgets the missing counts at or below the floor first, and reports how many', () => {
    const gappy = state([
      [
        1n,
        token({
          highest: 8n,
          missing: [
            [2n, 4n],
            [7n, 7n],
          ],
          forgotten: 1n,
        }),
      ],
    ])
    const d = decide([job(1n, 3n), job(1n, 7n)], gappy, 5n)
    expect(codes(d)).toEqual(['count_already_accepted', 'accepted'])
    expect(d.changed.get(1n)?.counts).toEqual({ highest: 8n, missing: [], forgotten: 4n })
    expect(d.forgotten).toBe(3n)
  })
})
