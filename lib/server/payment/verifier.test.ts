import { type Address, bytesToHex, type Hex, hexToBytes } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPayment, type TestPayment, testSettings } from '../../../test/kit/payment'
import { formatToken, parseToken, SECP256K1_N } from '../../token'
import { inlineRecovery } from '../signerRecovery'
import { signTokenNative } from '../tokenCrypto'
import type { ChannelRecord } from './channels'
import { createHotSql } from './hotSql'
import type { Service } from './services'
import { createVerifier, type VerifyOutcome } from './verifier'

let t: TestPayment
let alice: Service
let bob: Service
let carol: Service
let aliceKey: Hex
let bobKey: Hex

beforeAll(async () => {
  t = await startTestPayment()
  alice = (await t.service('alice')).service
  bob = (await t.service('bob', { price: 1_000n })).service
  carol = (await t.service('carol', { price: 1_000n })).service
  aliceKey = await t.server.services.privateKey(alice)
  bobKey = await t.server.services.privateKey(bob)
})
afterAll(async () => {
  for (const core of cores) await core.stop()
  await t?.stop()
})

/**
 * A fresh channel from alice (through the factory, with her key) to `provider`, known to the
 * server. The kit's `channel()` is get-or-create, so it would hand every test the same one.
 */
async function open({
  provider = bob,
  deposit = 1_000_000n,
  costPerRequest = 1_000n,
}: {
  provider?: Service
  deposit?: bigint
  costPerRequest?: bigint
} = {}): Promise<ChannelRecord> {
  const { channel } = await t.chain.openChannel({
    factory: t.factory,
    consumer: privateKeyToAccount(aliceKey),
    provider: provider.address,
    costPerRequest,
    value: deposit,
  })
  const record = await t.server.channels.find(channel)
  if (!record) throw new Error(`channel ${channel} is not known to the server`)
  return record
}

/** A wire token for `channel`, signed by alice unless another key or chain is given. */
function wire({
  channel,
  tokenId = 1n,
  requests,
  key = aliceKey,
  chainId = t.server.chainId,
  wireChainId = chainId,
}: {
  channel: Address
  tokenId?: bigint
  requests: bigint
  key?: Hex
  chainId?: number
  wireChainId?: number
}): string {
  const token = signTokenNative({ privateKey: key, chainId, channel, tokenId, requests })
  return formatToken({ chainId: wireChainId, token })
}

/** Every payment_accepted row, with numbers as bigint. */
async function acceptedRows() {
  const rows = await t.database.db.paymentAccepted.findMany({
    orderBy: [{ channel: 'asc' }, { tokenId: 'asc' }],
  })
  return rows.map((row) => ({
    channel: row.channel,
    tokenId: BigInt(row.tokenId.toFixed()),
    highest: BigInt(row.highest.toFixed()),
    signature: row.signature,
    counts: row.counts,
    accepted: BigInt(row.accepted.toFixed()),
    lastAcceptedAt: row.lastAcceptedAt.getTime(),
  }))
}

/** The payment_accepted row of one token ID of a channel. */
async function acceptedRow(channel: Address, tokenId = 1n) {
  return (await acceptedRows()).find((row) => row.channel === channel && row.tokenId === tokenId)
}

/** Verifies `token` as `service`, expects a refusal with `code`, and that no row changed. */
async function expectRefused(service: Service, token: string, code: string, status = 402) {
  const before = await acceptedRows()
  const outcome = await t.server.verifier.verify(service, token)
  expect(outcome).toMatchObject({ accepted: false, code, status })
  expect(await acceptedRows()).toEqual(before)
  if (outcome.accepted) throw new Error('unreachable: the outcome was checked above')
  return outcome
}

const chainState = async (channel: ChannelRecord) => (await t.server.chainView.get(channel.address)).state

/** The provider (bob) starts the redemption of the active token ID; returns the new active ID. */
async function startRedemption(channel: ChannelRecord): Promise<bigint> {
  const state = await chainState(channel)
  await t.server.channels.act(channel, bob, 'startRedemption', [state.lastTokenId + 1n])
  return state.lastTokenId + 1n
}

const requestsOf = (token: string) => parseToken(token).token.requests

/** The highest count taken of a token ID of `channel` (payment_issued), 0 when none. */
async function highestTaken(channel: ChannelRecord, tokenId = 1n): Promise<bigint> {
  const row = await t.database.db.paymentIssued.findFirst({
    where: { channel: channel.address, tokenId: tokenId.toString() },
  })
  return row ? BigInt(row.requests.toFixed()) : 0n
}

/** Statements that took counts so far (this core's metric). */
const takes = async (server: TestPayment['server']) =>
  (await server.metrics.issueTakes.get()).values[0]?.value ?? 0

/** `n` tokens of `channel` from `server`, one call after the other (a steady consumer). */
async function issueOneByOne(server: TestPayment['server'], channel: ChannelRecord, n: number) {
  const tokens: string[] = []
  for (let i = 0; i < n; i++)
    tokens.push(...(await server.issuer.issue({ channel, consumer: alice, count: 1 })).tokens)
  await server.issuer.idle() // a refill may still be on its way
  return tokens
}

/** A second core on the same chain, database and keystore, with its own settings. */
async function secondCore(settings: Parameters<typeof testSettings>[0] = {}) {
  const core = await startTestPayment({
    settings: testSettings({ keystoreSecret: t.server.settings.keystoreSecret, ...settings }),
    chain: t.chain,
    database: t.database,
    factory: t.factory,
  })
  cores.push(core)
  return core
}
const cores: TestPayment[] = []

/** A second core that issued 200 tokens of a fresh channel one by one and holds counts ahead. */
async function secondCoreHolding() {
  const core = await secondCore()
  const channel = await open()
  const tokens = await issueOneByOne(core.server, channel, 200)
  const held = core.server.issuer.held(channel.address)
  expect(held).toBeGreaterThan(0)
  return { first: core, channel, tokens, held }
}
const codes = (outcomes: VerifyOutcome[]) => outcomes.map((o) => (o.accepted ? 'accepted' : o.code))

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
    })
    expect(await acceptedRow(channel.address)).toMatchObject({ highest: 1n, accepted: 1n })
  })

  it('verify() refuses a token signed by a stranger or by the provider itself as bad_signature', async () => {
    const channel = await open()
    await t.server.verifier.verify(bob, wire({ channel: channel.address, requests: 1n }))
    await expectRefused(
      bob,
      wire({ channel: channel.address, requests: 2n, key: t.chain.keys[3] as Hex }),
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
    const otherFactory = await t.chain.deployFactory()
    const { channel: lookAlike } = await t.chain.openChannel({
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

describe('verify() and the channel funds', () => {
  it('verify() accepts counts up to deposit / cost and refuses one more as insufficient_funds', async () => {
    const channel = await open({ deposit: 10_000n, costPerRequest: 1_000n })
    const at = (requests: bigint) => wire({ channel: channel.address, requests })
    await expectRefused(bob, at(11n), 'insufficient_funds')
    expect(await t.server.verifier.verify(bob, at(10n))).toMatchObject({ accepted: true, value: 10_000n })
    await expectRefused(bob, at(11n), 'insufficient_funds')
    // Counts below the highest add nothing to what is owed.
    expect(await t.server.verifier.verify(bob, at(3n))).toMatchObject({ accepted: true, value: 3_000n })
    // A refusal for funds spends nothing: after a deposit of one request's cost, 11 fits.
    await t.server.channels.act(channel, alice, 'deposit', [], 1_000n)
    expect(await t.server.verifier.verify(bob, at(11n))).toMatchObject({ accepted: true, value: 11_000n })
    await expectRefused(bob, at(12n), 'insufficient_funds')
    expect(await acceptedRow(channel.address)).toMatchObject({ highest: 11n, accepted: 3n })
  })

  it("verify() counts the expiring token's highest count against the funds of the active one", async () => {
    const channel = await open({ deposit: 10_000n, costPerRequest: 1_000n })
    const at = (tokenId: bigint, requests: bigint) => wire({ channel: channel.address, tokenId, requests })
    expect(await t.server.verifier.verify(bob, at(1n, 4n))).toMatchObject({ accepted: true })
    const active = await startRedemption(channel)
    expect(active).toBe(2n)
    expect(await chainState(channel)).toMatchObject({ activeTokenId: 2n, expiringTokenId: 1n })

    // 4 owed on the expiring ID leaves room for exactly 6 on the active one.
    await expectRefused(bob, at(2n, 7n), 'insufficient_funds')
    expect(await t.server.verifier.verify(bob, at(2n, 6n))).toMatchObject({ accepted: true, value: 6_000n })
    // Raising the expiring ID's highest would now overdraw; a lower missing count does not.
    await expectRefused(bob, at(1n, 5n), 'insufficient_funds')
    expect(await t.server.verifier.verify(bob, at(1n, 2n))).toMatchObject({ accepted: true, requests: 2n })
    await expectRefused(bob, at(2n, 7n), 'insufficient_funds')

    expect(await acceptedRow(channel.address, 1n)).toMatchObject({ highest: 4n, accepted: 2n })
    expect(await acceptedRow(channel.address, 2n)).toMatchObject({ highest: 6n, accepted: 1n })
  })
})

describe('verify() around a redemption', () => {
  it('verify() accepts the expiring token ID inside the tolerance window and refuses it as token_expired after', async () => {
    expect(t.server.settings.toleranceSeconds).toBe(30)
    const channel = await open()
    const at = (tokenId: bigint, requests: bigint) => wire({ channel: channel.address, tokenId, requests })
    expect(await t.server.verifier.verify(bob, at(1n, 1n))).toMatchObject({ accepted: true })
    const active = await startRedemption(channel)

    expect(await t.server.verifier.verify(bob, at(1n, 2n))).toMatchObject({ accepted: true, tokenId: 1n })
    expect(await t.server.verifier.verify(bob, at(active, 1n))).toMatchObject({ accepted: true, tokenId: 2n })

    await t.chain.advanceTime(t.server.settings.toleranceSeconds + 1)
    const refused = await expectRefused(bob, at(1n, 3n), 'token_expired')
    expect(refused.message).toBe('Token ID 1 is being redeemed and its tolerance window has closed.')
    expect(await t.server.verifier.verify(bob, at(active, 2n))).toMatchObject({
      accepted: true,
      tokenId: 2n,
      requests: 2n,
    })
    expect(await acceptedRow(channel.address, 1n)).toMatchObject({ highest: 2n, accepted: 2n })
    expect(await acceptedRow(channel.address, 2n)).toMatchObject({ highest: 2n, accepted: 2n })
  })

  it('verify() refuses a token of a redeemed ID as token_expired', async () => {
    const channel = await open({ deposit: 1_000_000n })
    const first = wire({ channel: channel.address, requests: 1n })
    expect(await t.server.verifier.verify(bob, first)).toMatchObject({ accepted: true })
    await startRedemption(channel)
    await t.chain.advanceTime(61)
    const { signature } = parseToken(first).token
    await t.server.channels.act(channel, bob, 'redeem', [1n, signature])
    expect(await chainState(channel)).toMatchObject({ activeTokenId: 2n, expiringTokenId: 0n })
    await expectRefused(bob, wire({ channel: channel.address, requests: 2n }), 'token_expired')
  })
})

describe('verify() on a channel that is ending', () => {
  it('verify() refuses tokens once the consumer started termination as channel_terminating', async () => {
    const channel = await open()
    const token = wire({ channel: channel.address, requests: 1n })
    await t.server.channels.act(channel, alice, 'startTermination')
    expect((await chainState(channel)).terminatesAt).toBeGreaterThan(0n)
    await expectRefused(bob, token, 'channel_terminating')
  })

  it('verify() refuses tokens of a terminated channel as channel_terminated', async () => {
    const channel = await open()
    expect(
      await t.server.verifier.verify(bob, wire({ channel: channel.address, requests: 1n })),
    ).toMatchObject({
      accepted: true,
    })
    await t.server.channels.act(channel, bob, 'terminate')
    expect((await chainState(channel)).terminated).toBe(true)
    await expectRefused(bob, wire({ channel: channel.address, requests: 2n }), 'channel_terminated')
  })
})

describe('issue()', () => {
  it('issue() hands out distinct, consecutive counts to 50 concurrent calls', async () => {
    const channel = await open()
    const issued = await Promise.all(
      Array.from({ length: 50 }, () => t.server.issuer.issue({ channel, consumer: alice, count: 1 })),
    )
    expect(issued.every((i) => i.tokenId === 1n && i.tokens.length === 1)).toBe(true)
    const counts = issued.map((i) => requestsOf(i.tokens[0] as string)).sort((a, b) => (a < b ? -1 : 1))
    expect(counts).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i + 1)))
    // The database holds what was handed out and what this core took ahead.
    await t.server.issuer.idle()
    expect(await highestTaken(channel)).toBe(50n + BigInt(t.server.issuer.held(channel.address)))
    // Every issued token is valid for the provider.
    const outcomes = await t.server.verifier.verifyMany(
      bob,
      issued.map((i) => i.tokens[0] as string),
    )
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(50)
  })

  it('issue() gives each concurrent call of several tokens its own consecutive run', async () => {
    const channel = await open()
    const sizes = Array.from({ length: 20 }, (_, i) => (i % 4) + 1)
    const issued = await Promise.all(
      sizes.map((count) => t.server.issuer.issue({ channel, consumer: alice, count })),
    )
    const all: bigint[] = []
    for (const [i, { tokens }] of issued.entries()) {
      const counts = tokens.map(requestsOf)
      expect(counts).toHaveLength(sizes[i] as number)
      for (let k = 1; k < counts.length; k++) expect(counts[k]).toBe((counts[k - 1] as bigint) + 1n)
      all.push(...counts)
    }
    all.sort((a, b) => (a < b ? -1 : 1))
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i + 1)))
  })

  it('issue() refuses as insufficient_funds without taking a count, and continues after a deposit', async () => {
    const channel = await open({ deposit: 5_000n, costPerRequest: 1_000n })
    const issue = (count: number) => t.server.issuer.issue({ channel, consumer: alice, count })
    expect((await issue(3)).tokens.map(requestsOf)).toEqual([1n, 2n, 3n])
    await expect(issue(3)).rejects.toMatchObject({ code: 'insufficient_funds', status: 409 })
    expect((await issue(2)).tokens.map(requestsOf)).toEqual([4n, 5n])
    await expect(issue(1)).rejects.toMatchObject({ code: 'insufficient_funds' })
    await t.server.channels.act(channel, alice, 'deposit', [], 1_000n)
    expect((await issue(1)).tokens.map(requestsOf)).toEqual([6n])
    const row = await t.database.db.paymentIssued.findFirstOrThrow({ where: { channel: channel.address } })
    expect(row.requests.toFixed()).toBe('6')
  })

  it('issue() refuses a terminating channel as channel_terminating and a terminated one as channel_terminated', async () => {
    const channel = await open()
    expect((await t.server.issuer.issue({ channel, consumer: alice, count: 1 })).tokens).toHaveLength(1)
    await t.server.channels.act(channel, alice, 'startTermination')
    await expect(t.server.issuer.issue({ channel, consumer: alice, count: 1 })).rejects.toMatchObject({
      code: 'channel_terminating',
    })
    await t.server.channels.act(channel, bob, 'terminate')
    await expect(t.server.issuer.issue({ channel, consumer: alice, count: 1 })).rejects.toMatchObject({
      code: 'channel_terminated',
    })
    const row = await t.database.db.paymentIssued.findFirstOrThrow({ where: { channel: channel.address } })
    expect(row.requests.toFixed()).toBe('1')
  })
})

describe('issue() taking counts ahead', () => {
  it('issue() signs most tokens of a busy channel from counts taken ahead, and no count twice', async () => {
    const channel = await open()
    const before = await takes(t.server)
    const tokens = await issueOneByOne(t.server, channel, 300)
    expect(tokens.map(requestsOf)).toEqual(Array.from({ length: 300 }, (_, i) => BigInt(i + 1)))
    // Exact issuing makes one statement per call here (300).
    expect((await takes(t.server)) - before).toBeLessThan(150)
    const held = t.server.issuer.held(channel.address)
    expect(held).toBeGreaterThan(0)
    expect(held).toBeLessThanOrEqual(64)
    expect(await highestTaken(channel)).toBe(300n + BigInt(held))
    const outcomes = await t.server.verifier.verifyMany(bob, tokens)
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(300)
  })

  it('issue() with issueAhead 0 takes each call its counts with a statement of its own', async () => {
    const exact = await secondCore({ issueAhead: 0 })
    const channel = await open()
    const before = await takes(exact.server)
    const tokens = await issueOneByOne(exact.server, channel, 40)
    expect(tokens.map(requestsOf)).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i + 1)))
    expect((await takes(exact.server)) - before).toBe(40)
    expect(exact.server.issuer.held(channel.address)).toBe(0)
    expect(await highestTaken(channel)).toBe(40n)
  })

  it('close() gives the held counts back, and the next core goes on without a gap', async () => {
    const { first, channel, tokens, held } = await secondCoreHolding()
    expect(await highestTaken(channel)).toBe(200n + BigInt(held))
    expect(await first.server.issuer.close()).toBe(held)
    expect(await highestTaken(channel)).toBe(200n)
    const next = await t.server.issuer.issue({ channel, consumer: alice, count: 1 })
    expect(next.tokens.map(requestsOf)).toEqual([201n])
    const outcomes = await t.server.verifier.verifyMany(bob, [...tokens, ...next.tokens])
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(201)
  })

  it('close() while calls are still issuing hands out no count twice', async () => {
    const { first, channel, tokens: early, held } = await secondCoreHolding()
    // As many calls as counts held, so that without care they would all be served from them.
    const during = Promise.all(
      Array.from({ length: held }, () => first.server.issuer.issue({ channel, consumer: alice, count: 1 })),
    )
    await first.server.issuer.close()
    const racing = (await during).flatMap((i) => i.tokens)
    const after = await issueOneByOne(t.server, channel, 30)
    const all = [...early, ...racing, ...after]
    expect(new Set(all.map(requestsOf)).size).toBe(230 + held)
    const outcomes = await t.server.verifier.verifyMany(bob, all)
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(230 + held)
  })

  it("a core whose held counts lie below another core's loses them: distinct counts, a gap of at most what it held", async () => {
    const { first, channel, tokens: early, held } = await secondCoreHolding()
    // Another core takes counts above them; the first one cannot give its counts back now.
    const late = await t.server.issuer.issue({ channel, consumer: alice, count: 1 })
    expect(late.tokens.map(requestsOf)).toEqual([201n + BigInt(held)])
    expect(await first.server.issuer.close()).toBe(0)
    const outcomes = await t.server.verifier.verifyMany(bob, [...early, ...late.tokens])
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(201)
    // What the consumer pays for beyond its 201 requests: the held counts, at most issueAhead.
    expect((await acceptedRow(channel.address))?.highest).toBe(201n + BigInt(held))
    expect(held).toBeLessThanOrEqual(64)
  })

  it('issue() drops the held counts of a token ID once a redemption starts: the new ID starts at 1', async () => {
    const channel = await open()
    const old = await issueOneByOne(t.server, channel, 200)
    expect(t.server.issuer.held(channel.address)).toBeGreaterThan(0)
    expect(await startRedemption(channel)).toBe(2n)
    const next = await t.server.issuer.issue({ channel, consumer: alice, count: 2 })
    expect(next.tokenId).toBe(2n)
    expect(next.tokens.map(requestsOf)).toEqual([1n, 2n])
    // The provider's highest count of the old ID is the last one handed out, not what was held.
    const outcomes = await t.server.verifier.verifyMany(bob, [...old, ...next.tokens])
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(202)
    expect((await acceptedRow(channel.address, 1n))?.highest).toBe(200n)
  })

  it('issue() refuses a terminating channel even while it holds counts for it', async () => {
    const channel = await open()
    await issueOneByOne(t.server, channel, 200)
    expect(t.server.issuer.held(channel.address)).toBeGreaterThan(0)
    await t.server.channels.act(channel, alice, 'startTermination')
    await expect(t.server.issuer.issue({ channel, consumer: alice, count: 1 })).rejects.toMatchObject({
      code: 'channel_terminating',
    })
  })

  it('issue() near the end of the funds gives every request the funds cover, as exact issuing would', async () => {
    const channel = await open({ deposit: 150_000n, costPerRequest: 1_000n })
    const tokens = await issueOneByOne(t.server, channel, 150)
    expect(tokens.map(requestsOf)).toEqual(Array.from({ length: 150 }, (_, i) => BigInt(i + 1)))
    await expect(t.server.issuer.issue({ channel, consumer: alice, count: 1 })).rejects.toMatchObject({
      code: 'insufficient_funds',
    })
    expect(await highestTaken(channel)).toBe(150n)
  })

  it('concurrent issue() calls the funds cannot all cover: each is decided alone, in order, none taking a count it does not sign', async () => {
    const channel = await open({ deposit: 10_000n, costPerRequest: 1_000n })
    const sizes = [3, 4, 2, 5, 1, 6]
    // The first call runs at once; the five others queue behind it and go as one batch of 18
    // counts where 7 are left.
    const outcomes = await Promise.allSettled(
      sizes.map((count) => t.server.issuer.issue({ channel, consumer: alice, count })),
    )
    const served = outcomes.map((o) =>
      o.status === 'fulfilled' ? o.value.tokens.map(requestsOf) : o.reason.code,
    )
    expect(served).toEqual([
      [1n, 2n, 3n],
      [4n, 5n, 6n, 7n],
      [8n, 9n],
      'insufficient_funds',
      [10n],
      'insufficient_funds',
    ])
    expect(await highestTaken(channel)).toBe(10n)
    const tokens = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value.tokens : []))
    const verified = await t.server.verifier.verifyMany(bob, tokens)
    expect(verified.filter((o) => o.accepted)).toHaveLength(10)
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
      wire({ channel: channel.address, requests: 4n, key: t.chain.keys[5] as Hex }),
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
      wire({ channel: channel.address, requests, key: t.chain.keys[5] as Hex })

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

describe('verify() and counts missing too long', () => {
  it('verify() forgets counts missing for longer than the TTL: later they are refused, newer gaps still fill once', async () => {
    const channel = await open()
    const { tokens } = await t.server.issuer.issue({ channel, consumer: alice, count: 12 })
    const token = (requests: number) => tokens[requests - 1] as string
    const sql = createHotSql({ databaseUrl: t.database.url, max: 2 })
    let clock = 1_000_000
    const verifier = createVerifier({
      sql,
      chainId: t.server.chainId,
      chainView: t.server.chainView,
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
