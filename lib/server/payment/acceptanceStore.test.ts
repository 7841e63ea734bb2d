import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/kit/database'
import { type ChannelAcceptance, createAcceptanceStore, type TokenAcceptance } from './acceptanceStore'
import { createHotSql, type HotSql } from './hotSql'
import { createPaymentMetrics } from './metrics'

/*
 * The acceptance store against Postgres alone (no chain): the version bump on every change,
 * the cached state, and the row lock after another instance wrote first.
 */

const CHAIN = 31337
const signature = (n: number) => `0x${n.toString(16).padStart(130, '0')}` as Hex
let database: TestDatabase
let sql: HotSql
let channelCount = 0

beforeAll(async () => {
  database = await createTestDatabase()
  sql = createHotSql({ databaseUrl: database.url, max: 2 })
})
afterAll(async () => {
  await sql?.close()
  await database?.drop()
})

/** A payment_channel row of its own, with a provider service (the store needs nothing else). */
async function channel(): Promise<string> {
  const address = `0x${(++channelCount).toString(16).padStart(40, '0')}`
  const provider = await database.db.paymentService.create({
    data: {
      name: `provider-${channelCount}`,
      team: 'team',
      address: `0x${channelCount.toString(16).padStart(40, 'b')}`,
      keySource: 'env',
      keyEnv: 'PROVIDER_KEY',
      apiKeyHash: Buffer.from(`key-${channelCount}`),
      apiKeyPrefix: 'pk',
    },
  })
  await database.db.paymentChannel.create({
    data: {
      chainId: CHAIN,
      address,
      providerServiceId: provider.id,
      consumer: `0x${'a'.repeat(40)}`,
      provider: `0x${'b'.repeat(40)}`,
      costPerRequest: '1000',
      redemptionTimeout: 60n,
      terminationTimeout: 600n,
    },
  })
  return address
}

const store = () => {
  const metrics = createPaymentMetrics()
  return { metrics, store: createAcceptanceStore({ sql, chainId: CHAIN, metrics }) }
}
const versionOf = async (address: string) =>
  (
    await database.db.paymentChannel.findUniqueOrThrow({
      where: { chainId_address: { chainId: CHAIN, address } },
    })
  ).version
const conflicts = async (metrics: ReturnType<typeof createPaymentMetrics>) =>
  (await metrics.verifyConflicts.get()).values[0]?.value ?? 0

/** A decision that raises token ID `tokenId` to `highest`, recording every state it was taken on. */
function raise(tokenId: bigint, highest: bigint, seen: ChannelAcceptance[] = []) {
  return (state: ChannelAcceptance) => {
    seen.push(state)
    const token: TokenAcceptance = {
      counts: { highest, missing: [], forgotten: 0n },
      signature: signature(Number(highest)),
      accepted: (state.tokens.get(tokenId)?.accepted ?? 0n) + 1n,
      closed: false,
    }
    const tokens = new Map(state.tokens).set(tokenId, token)
    return { changed: new Map([[tokenId, token]]), tokens }
  }
}

describe('createAcceptanceStore()', () => {
  it('apply() writes a decision with one version bump and decides the next one on the state it wrote', async () => {
    const address = await channel()
    const { store: s } = store()
    const seen: ChannelAcceptance[] = []
    expect(await s.apply(address, raise(1n, 3n, seen))).toMatchObject({ committed: true })
    expect(await versionOf(address)).toBe(1n)
    // Changed behind the store's back without a version bump: the cached state does not see it.
    await database.db.paymentAccepted.updateMany({ where: { channel: address }, data: { accepted: '9' } })
    await s.apply(address, raise(1n, 5n, seen))
    expect(seen.map((state) => [state.version, state.tokens.get(1n)?.accepted])).toEqual([
      [0n, undefined],
      [1n, 1n],
    ])
    expect(await versionOf(address)).toBe(2n)
    const row = await database.db.paymentAccepted.findFirstOrThrow({ where: { channel: address } })
    expect([row.highest.toFixed(), row.accepted.toFixed(), row.signature]).toEqual(['5', '2', signature(5)])
  })

  it('apply() that decides nothing to change writes nothing', async () => {
    const address = await channel()
    const { store: s } = store()
    const nothing = (state: ChannelAcceptance) => ({ changed: new Map(), tokens: state.tokens })
    expect(await s.apply(address, nothing)).toMatchObject({ committed: false })
    expect(await versionOf(address)).toBe(0n)
  })

  it('apply() after another instance wrote first decides again under the row lock, on what it reads there', async () => {
    const address = await channel()
    const a = store()
    const b = store()
    await a.store.apply(address, raise(1n, 3n))
    await b.store.apply(address, raise(2n, 1n))
    const seen: ChannelAcceptance[] = []
    expect(await a.store.apply(address, raise(1n, 4n, seen))).toMatchObject({ committed: true })
    expect(seen.map((state) => [state.version, [...state.tokens.keys()]])).toEqual([
      [1n, [1n]],
      [2n, [2n, 1n]],
    ])
    expect(await conflicts(a.metrics)).toBe(1)
    expect(await versionOf(address)).toBe(3n)
  })

  it('close() stops acceptance of a token ID with a version bump, and the next decision sees it closed', async () => {
    const address = await channel()
    const { metrics, store: s } = store()
    await s.apply(address, raise(1n, 3n))
    expect(await s.close(address, 1n)).toEqual({ requests: 3n, signature: signature(3) })
    expect(await s.close(address, 7n)).toBeNull()
    expect(await versionOf(address)).toBe(3n)
    const seen: ChannelAcceptance[] = []
    await s.apply(address, raise(2n, 1n, seen))
    expect(seen.map((state) => [state.version, state.tokens.get(1n)?.closed])).toEqual([[3n, true]])
    expect(await conflicts(metrics)).toBe(0)
  })

  it('redeemed() records the redemption with a version bump; accepted() reads what a token ID holds', async () => {
    const address = await channel()
    const { store: s } = store()
    const before = Date.now()
    await s.apply(address, raise(1n, 3n))
    const accepted = await s.accepted(address, 1n)
    expect(accepted?.highest).toBe(3n)
    expect(accepted?.firstAcceptedAt.getTime()).toBeGreaterThanOrEqual(before - 1_000)
    expect(await s.accepted(address, 0n)).toBeNull()
    expect(await s.accepted(address, 2n)).toBeNull()

    const tx = `0x${'e'.repeat(64)}` as Hex
    await s.redeemed(address, 1n, { tx, amount: 3_000n })
    expect(await versionOf(address)).toBe(2n)
    const row = await database.db.paymentAccepted.findFirstOrThrow({ where: { channel: address } })
    expect([row.redeemedTx, row.redeemedAmount?.toFixed(), row.redeemedAt !== null]).toEqual([
      tx,
      '3000',
      true,
    ])
    // A redeemed token ID is no longer part of the channel's acceptance state.
    const seen: ChannelAcceptance[] = []
    await s.apply(address, raise(2n, 1n, seen))
    expect(seen.map((state) => [...state.tokens.keys()])).toEqual([[]])
  })

  it('unredeemed() forgets a redemption only when that transaction recorded it, and the token ID is back (closed)', async () => {
    const address = await channel()
    const { store: s } = store()
    await s.apply(address, raise(1n, 3n))
    await s.close(address, 1n)
    const tx = `0x${'e'.repeat(64)}` as Hex
    await s.redeemed(address, 1n, { tx, amount: 3_000n })
    const redeemedRow = () => database.db.paymentAccepted.findFirstOrThrow({ where: { channel: address } })

    expect(await s.unredeemed(address, 1n, `0x${'f'.repeat(64)}`)).toBe(false)
    expect((await redeemedRow()).redeemedTx).toBe(tx)
    expect(await s.unredeemed(address, 1n, tx)).toBe(true)
    const row = await redeemedRow()
    expect([row.redeemedTx, row.redeemedAmount, row.redeemedAt, row.closedAt !== null]).toEqual([
      null,
      null,
      null,
      true,
    ])
    expect(await s.unredeemed(address, 1n, tx)).toBe(false)
    // The token ID is part of the acceptance state again, closed: no verifier accepts it.
    const seen: ChannelAcceptance[] = []
    await s.apply(address, raise(2n, 1n, seen))
    expect(seen.map((state) => [...state.tokens].map(([id, t]) => [id, t.closed]))).toEqual([[[1n, true]]])
  })
})
