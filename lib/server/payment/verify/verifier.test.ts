import { bytesToHex, type Hex, hexToBytes } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatToken, parseToken, SECP256K1_N } from '../../../../packages/payment-client/src/token'
import type { TestPayment } from '../../../../test/kit/payment'
import type { Service } from '../services'
import { codes, paymentKit } from '../testing'

let t: TestPayment
let alice: Service
let bob: Service
let carol: Service
let aliceKey: Hex
let bobKey: Hex
const kit = paymentKit()
const { open, wire, acceptedRows, acceptedRow, expectRefused, chainState } = kit

beforeAll(async () => {
  ;({ t, alice, bob, carol, aliceKey, bobKey } = await kit.start())
})
afterAll(() => kit.stop())

describe('verify() against hostile tokens', () => {
  it('verify() accepts a token signed by the consumer and records it', async () => {
    const channel = await open()
    const outcome = await t.server.verifier.verify(bob, wire({ channel: channel.address, requests: 1n }))
    expect(outcome).toEqual({
      accepted: true,
      channel: channel.address,
      tokenId: 1n,
      requests: 1n,
      value: 1_000n,
      // Who paid: a service calling others on its behalf names it as their origin.
      consumer: channel.consumer.toLowerCase(),
    })
    expect(await acceptedRow(channel.address)).toMatchObject({ highest: 1n, accepted: 1n })
  })

  it('verify() refuses a token signed by a stranger or by the provider itself as bad_signature', async () => {
    const channel = await open()
    await t.server.verifier.verify(bob, wire({ channel: channel.address, requests: 1n }))
    await expectRefused(
      bob,
      wire({ channel: channel.address, requests: 2n, key: t.testbed.partyKeys.stranger }),
      'bad_signature',
    )
    await expectRefused(bob, wire({ channel: channel.address, requests: 2n, key: bobKey }), 'bad_signature')
    expect(await acceptedRow(channel.address)).toMatchObject({ highest: 1n, accepted: 1n })
  })

  it('verify() refuses a malleable (high-s) twin of a valid signature as bad_signature', async () => {
    const channel = await open()
    const valid = parseToken(wire({ channel: channel.address, requests: 1n })).token
    const bytes = hexToBytes(valid.signature)
    const s = BigInt(bytesToHex(bytes.subarray(32, 64)))
    const twin = `${valid.signature.slice(0, 66)}${(SECP256K1_N - s).toString(16).padStart(64, '0')}${
      bytes[64] === 27 ? '1c' : '1b'
    }` as Hex
    await expectRefused(
      bob,
      formatToken({ chainId: t.server.chainId, token: { ...valid, signature: twin } }),
      'bad_signature',
    )
  })

  it('verify() refuses a token ID that was never issued as token_id_unknown', async () => {
    const channel = await open()
    expect((await chainState(channel)).lastTokenId).toBe(1n)
    await expectRefused(
      bob,
      wire({ channel: channel.address, tokenId: 2n, requests: 1n }),
      'token_id_unknown',
    )
    await expectRefused(
      bob,
      wire({ channel: channel.address, tokenId: 1n << 200n, requests: 1n }),
      'token_id_unknown',
    )
  })

  it('verify() refuses token ID 0 (never issued) and records nothing', async () => {
    const channel = await open()
    const before = await acceptedRows()
    const outcome = await t.server.verifier.verify(
      bob,
      wire({ channel: channel.address, tokenId: 0n, requests: 1n }),
    )
    expect(outcome.accepted).toBe(false)
    // Today this comes back as token_expired ("is being redeemed"), because 0n also means "no
    // expiring ID"; token_id_unknown would describe it better. Either way it must not be accepted.
    expect(['token_id_unknown', 'token_expired']).toContain(outcome.accepted ? 'accepted' : outcome.code)
    expect(await acceptedRows()).toEqual(before)
  })

  it('verify() refuses a replayed count as count_already_accepted', async () => {
    const channel = await open()
    const token = wire({ channel: channel.address, requests: 3n })
    expect(await t.server.verifier.verify(bob, token)).toMatchObject({ accepted: true, requests: 3n })
    await expectRefused(bob, token, 'count_already_accepted')
    // The same count signed again (a different token string with equal meaning) is a replay too.
    await expectRefused(bob, wire({ channel: channel.address, requests: 3n }), 'count_already_accepted')
    expect(await acceptedRow(channel.address)).toMatchObject({ highest: 3n, accepted: 1n })
  })

  it("verify() refuses channel A's token presented with channel B's address as bad_signature", async () => {
    const a = await open()
    const b = await open()
    const forA = parseToken(wire({ channel: a.address, requests: 1n })).token
    await expectRefused(
      bob,
      formatToken({ chainId: t.server.chainId, token: { ...forA, channel: b.address } }),
      'bad_signature',
    )
    expect(await acceptedRow(a.address)).toBeUndefined()
    expect(await acceptedRow(b.address)).toBeUndefined()
  })

  it('verify() refuses a token for another chain as wrong_chain, and one re-labelled to ours as bad_signature', async () => {
    const channel = await open()
    expect(t.server.chainId).toBe(31337)
    const refused = await expectRefused(
      bob,
      wire({ channel: channel.address, requests: 1n, chainId: 1 }),
      'wrong_chain',
    )
    expect(refused).toMatchObject({
      message: 'The token is for chain 1; this Payment Server is on chain 31337.',
    })
    await expectRefused(
      bob,
      wire({ channel: channel.address, requests: 1n, chainId: 1, wireChainId: 31337 }),
      'bad_signature',
    )
  })

  it('verify() refuses a channel not from our factory (random address, an EOA, a look-alike) as channel_unknown', async () => {
    const random = bytesToHex(crypto.getRandomValues(new Uint8Array(20)))
    await expectRefused(bob, wire({ channel: random, requests: 1n }), 'channel_unknown')
    await expectRefused(bob, wire({ channel: alice.address, requests: 1n }), 'channel_unknown')
    // A genuine Intermediary between the same parties, but deployed by another factory.
    const otherFactory = await t.testbed.deployFactory()
    const { channel: lookAlike } = await t.testbed.openChannel({
      factory: otherFactory,
      consumer: privateKeyToAccount(aliceKey),
      provider: bob.address,
      value: 1_000_000n,
    })
    await expectRefused(bob, wire({ channel: lookAlike, requests: 1n }), 'channel_unknown')
    expect(await t.server.channels.find(lookAlike)).toBeNull()
  })

  it("verify() refuses a service that is not the channel's provider with 403 forbidden", async () => {
    const channel = await open()
    const token = wire({ channel: channel.address, requests: 1n })
    await expectRefused(carol, token, 'forbidden', 403)
    await expectRefused(alice, token, 'forbidden', 403)
    // The refused token was not spent: its provider can still accept it.
    expect(await t.server.verifier.verify(bob, token)).toMatchObject({ accepted: true, requests: 1n })
  })

  it("verify() refuses a channel priced below the provider's price as terms_rejected", async () => {
    const cheap = await open({ costPerRequest: 999n })
    await expectRefused(bob, wire({ channel: cheap.address, requests: 1n }), 'terms_rejected')
    const exact = await open({ costPerRequest: 1_000n })
    expect(await t.server.verifier.verify(bob, wire({ channel: exact.address, requests: 1n }))).toMatchObject(
      {
        accepted: true,
        value: 1_000n,
      },
    )
  })

  it('verify() refuses a token for zero requests as zero_requests', async () => {
    const channel = await open()
    await expectRefused(bob, wire({ channel: channel.address, requests: 0n }), 'zero_requests')
    expect(await acceptedRow(channel.address)).toBeUndefined()
  })

  it('verify() refuses a malformed token as token_malformed with status 400', async () => {
    const channel = await open()
    const valid = wire({ channel: channel.address, requests: 1n })
    await expectRefused(bob, valid.replace(/^v1/, 'v2'), 'token_malformed', 400)
    await expectRefused(bob, valid.slice(0, -2), 'token_malformed', 400)
  })
})

describe('verifyMany()', () => {
  it('verifyMany() answers in input order and a foreign token does not spoil the others', async () => {
    const channel = await open()
    const other = await open({ provider: carol })
    const { tokens } = await t.server.issuer.issue({ channel, consumer: alice, count: 3 })
    const [one, two, three] = tokens as [string, string, string]
    const outcomes = await t.server.verifier.verifyMany(bob, [
      three,
      wire({ channel: channel.address, requests: 4n, key: t.testbed.keys[5] as Hex }),
      one,
      wire({ channel: other.address, requests: 1n }),
      'not-a-token',
      two,
      wire({ channel: channel.address, requests: 5n, chainId: 1 }),
    ])
    expect(codes(outcomes)).toEqual([
      'accepted',
      'bad_signature',
      'accepted',
      'forbidden',
      'token_malformed',
      'accepted',
      'wrong_chain',
    ])
    expect(outcomes.map((o) => (o.accepted ? o.requests : null))).toEqual([
      3n,
      null,
      1n,
      null,
      null,
      2n,
      null,
    ])
    expect(await acceptedRow(channel.address)).toMatchObject({
      highest: 3n,
      accepted: 3n,
      signature: parseToken(three).token.signature,
    })
    expect(await acceptedRow(other.address)).toBeUndefined()
  })
})

describe('verify() and the recovery workers', () => {
  /** Signatures recovered so far on each thread (this core's metric). */
  const recovered = async () => {
    const { values } = await t.server.metrics.recoveries.get()
    const on = (thread: string) => values.find((v) => v.labels.thread === thread)?.value ?? 0
    return { main: on('main'), worker: on('worker') }
  }
  const since = async (before: { main: number; worker: number }) => {
    const now = await recovered()
    return { main: now.main - before.main, worker: now.worker - before.worker }
  }

  it('verify() recovers on the main thread while at most 2 calls of at most 32 tokens are in progress (a worker taking a share of a call of several), on the workers beyond, with the same verdicts', async () => {
    const channel = await open()
    const { tokens } = await t.server.issuer.issue({ channel, consumer: alice, count: 60 })
    const stranger = (requests: bigint) =>
      wire({ channel: channel.address, requests, key: t.testbed.keys[5] as Hex })

    let before = await recovered()
    expect(await t.server.verifier.verify(bob, tokens[0] as string)).toMatchObject({ accepted: true })
    expect(await since(before)).toEqual({ main: 1, worker: 0 })

    // Ten calls at once: the first two find at most 2 in progress, the other eight more.
    before = await recovered()
    const calls = [...tokens.slice(1, 9), stranger(100n), tokens[9] as string]
    const outcomes = await Promise.all(calls.map((token) => t.server.verifier.verify(bob, token)))
    expect(await since(before)).toEqual({ main: 2, worker: 8 })
    expect(codes(outcomes)).toEqual([...Array(8).fill('accepted'), 'bad_signature', 'accepted'])

    // One call of 41 tokens: too many for the main thread, whatever else is going on.
    before = await recovered()
    const batch = await t.server.verifier.verifyMany(bob, [...tokens.slice(10, 51), stranger(101n)])
    expect(await since(before)).toEqual({ main: 0, worker: 42 })
    expect(codes(batch)).toEqual([...Array(41).fill('accepted'), 'bad_signature'])

    // A call of 10 alone: a worker takes the first 4 (the stranger's among them), this thread the other 6.
    before = await recovered()
    const shared = await t.server.verifier.verifyMany(bob, [stranger(102n), ...tokens.slice(51)])
    expect(await since(before)).toEqual({ main: 6, worker: 4 })
    expect(codes(shared)).toEqual(['bad_signature', ...Array(9).fill('accepted')])
    expect(await acceptedRow(channel.address)).toMatchObject({ highest: 60n, accepted: 60n })
  })
})
