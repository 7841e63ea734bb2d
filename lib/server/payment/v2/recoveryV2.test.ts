import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VerifyOutcome } from '../verify/verifyOutcome'
import { paymentKitV2 } from './testing'

/*
 * Version 2 tokens' signatures are recovered where v1's are (../verify/verifier's QUIET rule):
 * on the main thread while the Payment Server is quiet, on the recovery workers when it is busy
 * or a call is large, with the same verdicts. One recovery worker, as on a 2-core machine.
 */

const { kit, parties, t } = paymentKitV2({ settings: { recoverThreads: 1 } })
beforeAll(() => kit.start())
afterAll(() => kit.stop())

/** Signatures recovered so far on each thread (the core's metric). */
async function recovered() {
  const { values } = await t().server.metrics.recoveries.get()
  const on = (thread: string) => values.find((v) => v.labels.thread === thread)?.value ?? 0
  return { main: on('main'), worker: on('worker') }
}
async function since(before: { main: number; worker: number }) {
  const now = await recovered()
  return { main: now.main - before.main, worker: now.worker - before.worker }
}
const codes = (outcomes: VerifyOutcome[]) => outcomes.map((o) => (o.accepted ? 'accepted' : o.code))

describe('v2 verification and the recovery workers', () => {
  it('recovers on the main thread while at most 2 calls of at most 32 tokens are in progress (a worker taking a share of a call of several), on the worker beyond, with the same verdicts', async () => {
    const { channel, provider } = await kit.open({ deposit: 10_000_000n })
    const { tokens } = await t().server.issuerV2.issue({
      channel,
      consumer: parties.alice,
      count: 60,
      category: 'small',
    })
    expect(tokens).toHaveLength(60)
    const stranger = (small: bigint) =>
      kit.wire({ channel: channel.address, requests: [small, 0n], key: t().testbed.keys[5] as Hex })
    const item = (token: string) => ({ token, category: 'small' })
    const verifier = t().server.verifier

    let before = await recovered()
    expect(await verifier.verify(provider, item(tokens[0] as string))).toMatchObject({ accepted: true })
    expect(await since(before)).toEqual({ main: 1, worker: 0 })

    // Ten calls at once: the first two find at most 2 in progress, the other eight more.
    before = await recovered()
    const calls = [...tokens.slice(1, 9), stranger(100n), tokens[9] as string]
    const outcomes = await Promise.all(calls.map((token) => verifier.verify(provider, item(token))))
    expect(await since(before)).toEqual({ main: 2, worker: 8 })
    expect(codes(outcomes)).toEqual([...Array(8).fill('accepted'), 'bad_signature', 'accepted'])

    // One call of 42 tokens: too many for the main thread, whatever else is going on.
    before = await recovered()
    const batch = await verifier.verifyMany(provider, [...tokens.slice(10, 51), stranger(101n)].map(item))
    expect(await since(before)).toEqual({ main: 0, worker: 42 })
    expect(codes(batch)).toEqual([...Array(41).fill('accepted'), 'bad_signature'])

    // A call of 10 alone: the worker takes the first 4 (the stranger's among them), this thread the other 6.
    before = await recovered()
    const shared = await verifier.verifyMany(provider, [stranger(102n), ...tokens.slice(51)].map(item))
    expect(await since(before)).toEqual({ main: 6, worker: 4 })
    expect(codes(shared)).toEqual(['bad_signature', ...Array(9).fill('accepted')])
    expect((await kit.acceptedRow(channel.address))?.requests).toEqual([60n, 0n])
  })
})
