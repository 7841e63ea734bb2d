import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseToken } from '../../../../packages/payment-client/src/token'
import type { TestPayment } from '../../../../test/kit/payment'
import { inlineRecovery } from '../../signerRecovery'
import { createAcceptanceStore } from '../acceptanceStore'
import { createHotSql } from '../hotSql'
import type { Service } from '../services'
import { codes, paymentKit } from '../testing'
import { createVerifier } from './verifier'
import type { VerifyOutcome } from './verifyOutcome'

let t: TestPayment
let alice: Service
let bob: Service
const kit = paymentKit()
const { open, acceptedRow } = kit

beforeAll(async () => {
  ;({ t, alice, bob } = await kit.start())
})
afterAll(() => kit.stop())

describe('verify() and counts missing too long', () => {
  it('verify() forgets counts missing for longer than the TTL: later they are refused, newer gaps still fill once', async () => {
    const channel = await open()
    const { tokens } = await t.server.issuer.issue({ channel, consumer: alice, count: 12 })
    const token = (requests: number) => tokens[requests - 1] as string
    const sql = createHotSql({ databaseUrl: t.database.url, max: 2 })
    let clock = 1_000_000
    const verifier = createVerifier({
      store: createAcceptanceStore({ sql, chainId: t.server.chainId, metrics: t.server.metrics }),
      chainId: t.server.chainId,
      channelStates: t.server.channelStates,
      channels: t.server.channels,
      metrics: t.server.metrics,
      recovery: inlineRecovery(),
      toleranceSeconds: 30,
      maxMissingRanges: 1_000,
      missingTtlSeconds: 60,
      now: () => clock,
    })
    /** One after the other, so that each is its own write. */
    const verify = async (...counts: number[]) => {
      const outcomes: VerifyOutcome[] = []
      for (const n of counts) outcomes.push(await verifier.verify(bob, token(n)))
      return codes(outcomes)
    }
    const stored = async () => (await acceptedRow(channel.address))?.counts
    const forgotten = async () => (await t.server.metrics.countsForgotten.get()).values[0]?.value ?? 0
    const forgottenBefore = await forgotten()
    try {
      // t = 0: 5, then 1 (2..4 missing); t = 16 s: 8 (6..7 missing too).
      expect(await verify(5, 1)).toEqual(['accepted', 'accepted'])
      clock += 16_000
      expect(await verify(8)).toEqual(['accepted'])
      // t = 59 s: nothing is a TTL old yet, so a late 2 is accepted.
      clock += 43_000
      expect(await verify(2)).toEqual(['accepted'])
      // t = 61 s: 3..4 went missing before the highest of a TTL ago (5): forgotten. 6 did not.
      clock += 2_000
      expect(await verify(3, 6)).toEqual(['count_already_accepted', 'accepted'])
      expect(await stored()).toEqual({ highest: '8', missing: [['7', '7']], forgotten: '2' })
      expect((await forgotten()) - forgottenBefore).toBe(2)
      // t = 77 s: the highest 60 s ago was 8, so 7 is forgotten as well; 9 and 12 are new.
      clock += 16_000
      expect(await verify(7, 12, 9)).toEqual(['count_already_accepted', 'accepted', 'accepted'])
      expect(await stored()).toEqual({ highest: '12', missing: [['10', '11']], forgotten: '3' })
      expect((await forgotten()) - forgottenBefore).toBe(3)
      expect(await acceptedRow(channel.address)).toMatchObject({ highest: 12n, accepted: 7n })
    } finally {
      await sql.close()
    }
  })
})

describe('verify() with counts out of order', () => {
  const shuffled = [7, 3, 20, 1, 15, 3, 9, 2, 20, 11, 4, 18, 6, 7, 13, 5, 19, 8, 1, 10, 14, 12, 16, 17]

  it('verify() accepts each of 20 counts exactly once in shuffled order and keeps the signature of the highest', async () => {
    const channel = await open()
    const { tokens } = await t.server.issuer.issue({ channel, consumer: alice, count: 20 })
    const tokenOf = (count: number) => tokens[count - 1] as string
    const highestSignature = parseToken(tokenOf(20)).token.signature

    const accepted = new Map<number, number>()
    for (const [i, count] of shuffled.entries()) {
      const outcome = await t.server.verifier.verify(bob, tokenOf(count))
      if (outcome.accepted) {
        expect(outcome.requests).toBe(BigInt(count))
        accepted.set(count, (accepted.get(count) ?? 0) + 1)
      } else {
        expect(outcome.code).toBe('count_already_accepted')
      }
      if (i === 1) {
        // Before count 20 arrived, the highest was 7 with its own signature.
        expect(await acceptedRow(channel.address)).toMatchObject({
          highest: 7n,
          signature: parseToken(tokenOf(7)).token.signature,
        })
      }
      if (i === 3) expect((await acceptedRow(channel.address))?.signature).toBe(highestSignature)
    }
    expect([...accepted.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect([...accepted.values()].every((n) => n === 1)).toBe(true)

    const row = await acceptedRow(channel.address)
    expect(row).toMatchObject({
      highest: 20n,
      accepted: 20n,
      signature: highestSignature,
      counts: { highest: '20', missing: [], forgotten: '0' },
    })
  })

  it('verifyMany() accepts each of 20 counts exactly once when shuffled duplicates arrive together', async () => {
    const channel = await open()
    const { tokens } = await t.server.issuer.issue({ channel, consumer: alice, count: 20 })
    const outcomes = await t.server.verifier.verifyMany(
      bob,
      shuffled.map((count) => tokens[count - 1] as string),
    )
    const acceptedCounts = outcomes.flatMap((o) => (o.accepted ? [o.requests] : []))
    expect(acceptedCounts.sort((a, b) => (a < b ? -1 : 1))).toEqual(
      Array.from({ length: 20 }, (_, i) => BigInt(i + 1)),
    )
    expect(codes(outcomes).filter((c) => c !== 'accepted')).toEqual([
      'count_already_accepted',
      'count_already_accepted',
      'count_already_accepted',
      'count_already_accepted',
    ])
    expect(await acceptedRow(channel.address)).toMatchObject({
      highest: 20n,
      accepted: 20n,
      signature: parseToken(tokens[19] as string).token.signature,
      counts: { highest: '20', missing: [], forgotten: '0' },
    })
  })
})
