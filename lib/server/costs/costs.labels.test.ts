import type { Address, Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { ANVIL_KEYS } from '../../../stack/anvil'
import { expectError } from '../../../test/kit/errors'
import { isAppError } from '../../errors'
import { labelEditBody } from '../../services/api'
import { labelEditTypedData } from '../../services/labels'
import { env } from '../env'
import { indexedChain } from '../indexedChain'
import { labelsFor, saveServiceLabel } from '../services'
import { costGraph, serviceCosts } from '.'
import { ADMIN_KEY, type CostsTestbed, LABEL_ADMIN, startCostsTestbed } from './testing'

/*
 * Service labels on the thesis example (testing.ts): signed edits by a label admin, the admin
 * key, refusals that change nothing, and concurrent edits.
 */

let bed: CostsTestbed
beforeAll(async () => {
  bed = await startCostsTestbed({ settled: true, pending: true })
}, 120_000)
afterAll(() => bed?.stop())

describe('service labels (saveServiceLabel)', () => {
  const admin = privateKeyToAccount(ANVIL_KEYS[5])
  const outsider = privateKeyToAccount(ANVIL_KEYS[6])
  const nowSeconds = () => BigInt(Math.floor(Date.now() / 1000))
  const request = (headers: Record<string, string> = {}) =>
    new Request('http://x/api/services/labels', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
    })

  /** A signed edit body (as the UI posts it), parsed as the route parses it. */
  async function signed(
    edit: { address: string; name: string; team: string; version: number },
    { by = admin, expiresAt = nowSeconds() + 300n } = {},
  ) {
    const typed = labelEditTypedData({
      chainId: bed.chainId,
      factory: bed.factory,
      edit: {
        service: edit.address as Address,
        name: edit.name,
        team: edit.team,
        version: BigInt(edit.version),
        expiresAt,
      },
    })
    const signature: Hex = await by.signTypedData(typed)
    return labelEditBody.parse({ ...edit, expiresAt: expiresAt.toString(), signature })
  }
  const row = (address: string) => bed.db.serviceLabel.findUniqueOrThrow({ where: { address } })

  it('env: the label admin and admin key are the ones lib/server/costs/testing.ts sets', () => {
    expect(env().LABEL_ADMINS).toBe(LABEL_ADMIN)
    expect(env().PAYMENT_ADMIN_KEY).toBe(ADMIN_KEY)
    expect(ADMIN_KEY).toHaveLength(40)
  })

  it("an admin's signed edit of the current version is saved and shows in the explorer", async () => {
    const before = await row(bed.addr.dave)
    expect(before).toMatchObject({ name: 'dave', version: 1, source: 'payment' })
    const body = await signed({ address: bed.addr.dave, name: 'dave-db', team: 'storage', version: 1 })
    const saved = await saveServiceLabel({ ctx: bed.ctx, request: request(), body })
    expect(saved).toMatchObject({
      address: bed.addr.dave,
      name: 'dave-db',
      team: 'storage',
      version: 2,
      source: 'edit',
      updatedBy: admin.address.toLowerCase(),
    })
    expect(await row(bed.addr.dave)).toMatchObject({
      name: 'dave-db',
      version: 2,
      source: 'edit',
      updatedBy: admin.address.toLowerCase(),
    })

    const view = await indexedChain(bed.ctx)
    const labels = await labelsFor(bed.ctx, view, [bed.addr.dave, bed.ch.cd, bed.factory])
    expect(labels[bed.addr.dave]).toEqual({
      address: bed.addr.dave,
      name: 'dave-db',
      team: 'storage',
      kind: 'service',
    })
    expect(labels[bed.ch.cd]).toEqual({
      address: bed.ch.cd,
      name: 'channel charlie → dave-db',
      team: null,
      kind: 'channel',
    })
    expect(labels[bed.factory.toLowerCase()]).toMatchObject({ kind: 'factory' })
    // The cost views name it at once (the label cache is cleared on an edit).
    expect(bed.nodeOf(await costGraph(bed.ctx, { window: 'all' }), 'dave')?.name).toBe('dave-db')
    expect((await serviceCosts(bed.ctx, 'dave-db', { window: 'all' })).version).toBe(2)
    await expectError(serviceCosts(bed.ctx, 'dave', { window: 'all' }), 404, 'unknown_service')

    // Replaying the same signed body: the version it replaces is gone.
    const after = await row(bed.addr.dave)
    await expectError(saveServiceLabel({ ctx: bed.ctx, request: request(), body }), 409, 'version_conflict')
    expect(await row(bed.addr.dave)).toEqual(after)
  })

  it('refusals change nothing: not an admin, expired, too far ahead, name taken, no credential', async () => {
    const before = await row(bed.addr.dave)
    const edit = { address: bed.addr.dave, name: 'dave-two', team: 'storage', version: before.version }
    const save = async (body: Promise<z.output<typeof labelEditBody>>, headers?: Record<string, string>) =>
      saveServiceLabel({ ctx: bed.ctx, request: request(headers), body: await body })
    const cases: Array<[() => Promise<unknown>, number, string]> = [
      [() => save(signed(edit, { by: outsider })), 403, 'not_label_admin'],
      [() => save(signed(edit, { expiresAt: nowSeconds() - 1n })), 400, 'request_expired'],
      [() => save(signed(edit, { expiresAt: nowSeconds() + 660n })), 400, 'invalid_expiry'],
      [() => save(signed({ ...edit, name: 'alice' })), 409, 'name_taken'],
      [() => save(signed({ ...edit, version: before.version - 1 })), 409, 'version_conflict'],
      [() => save(Promise.resolve(labelEditBody.parse(edit))), 401, 'unauthorized'],
      [
        () =>
          save(Promise.resolve(labelEditBody.parse(edit)), {
            authorization: 'Bearer not-the-admin-key-at-all',
          }),
        401,
        'unauthorized',
      ],
    ]
    for (const [run, status, code] of cases) {
      await expectError(run(), status, code)
      expect(await row(bed.addr.dave)).toEqual(before)
    }
    // A "new label" edit (version 0) for an address that has one says which label to edit instead.
    const message = await expectError(save(signed({ ...edit, version: 0 })), 409, 'version_conflict')
    expect(message).toBe(
      `${bed.addr.dave} is already labelled "${before.name}"; edit that label on its service page.`,
    )
    expect(await row(bed.addr.dave)).toEqual(before)
    // A signature over other values (the team changed after signing) is not an admin's.
    const tampered = { ...(await signed(edit)), team: 'other' }
    await expectError(
      saveServiceLabel({ ctx: bed.ctx, request: request(), body: tampered }),
      403,
      'not_label_admin',
    )
    // A signature without its expiry.
    const { expiresAt: _dropped, ...noExpiry } = await signed(edit)
    await expectError(
      saveServiceLabel({ ctx: bed.ctx, request: request(), body: noExpiry }),
      403,
      'invalid_signature',
    )
    expect(await row(bed.addr.dave)).toEqual(before)
  })

  it('the admin key as Authorization: Bearer saves without a signature (updatedBy null)', async () => {
    const before = await row(bed.addr.dave)
    const body = labelEditBody.parse({
      address: bed.addr.dave,
      name: 'dave-store',
      team: 'Data Team',
      version: before.version,
    })
    const saved = await saveServiceLabel({
      ctx: bed.ctx,
      request: request({ authorization: `Bearer ${ADMIN_KEY}` }),
      body,
    })
    expect(saved).toMatchObject({
      address: bed.addr.dave,
      name: 'dave-store',
      team: 'Data Team',
      version: before.version + 1,
      source: 'edit',
      updatedBy: null,
    })
    expect(await row(bed.addr.dave)).toMatchObject({
      name: 'dave-store',
      version: before.version + 1,
      updatedBy: null,
    })
  })

  it('a new label for an unlabelled address replaces version 0', async () => {
    const eve = bed.chain.accounts[7]!.address
    const body = await signed({ address: eve, name: 'eve', team: 'guests', version: 0 })
    expect(body.address).toBe(eve.toLowerCase())
    const saved = await saveServiceLabel({ ctx: bed.ctx, request: request(), body })
    expect(saved).toMatchObject({ address: eve.toLowerCase(), name: 'eve', version: 1, source: 'edit' })
    // Now a service here (labelled), with nothing spent.
    const s = await serviceCosts(bed.ctx, 'eve', { window: 'all' })
    expect(s).toMatchObject({ version: 1, channels: [], callers: [], loaded: { own: '0', total: '0' } })
  })

  it('concurrent edits: one wins, the other is refused with 409 (never a lost update or a 500)', async () => {
    // Fresh unlabelled addresses, from small private keys.
    const fresh = (seed: number) =>
      privateKeyToAccount(`0x${seed.toString(16).padStart(64, '0')}` as Hex).address.toLowerCase()
    const outcome = (results: PromiseSettledResult<{ name: string; version: number }>[]) =>
      results.map((r) =>
        r.status === 'fulfilled'
          ? `saved v${r.value.version}`
          : isAppError(r.reason)
            ? `${r.reason.status} ${r.reason.code}`
            : `not an AppError: ${(r.reason as Error).name}`,
      )
    for (let round = 0; round < 3; round++) {
      // Two admins' edits both creating the label of the same address (both replace version 0).
      const target = fresh(1_000 + round)
      const bodies = await Promise.all([
        signed({ address: target, name: `race-${round}-a`, team: 't', version: 0 }),
        signed({ address: target, name: `race-${round}-b`, team: 't', version: 0 }),
      ])
      const same = await Promise.allSettled(
        bodies.map((body) => saveServiceLabel({ ctx: bed.ctx, request: request(), body })),
      )
      expect
        .soft(outcome(same).sort(), `round ${round}, same address`)
        .toEqual(['409 version_conflict', 'saved v1'])
      expect.soft(await row(target), `round ${round}`).toMatchObject({ version: 1 })

      // Two edits giving the same new name to two different addresses.
      const [a, b] = [fresh(2_000 + round), fresh(3_000 + round)]
      const named = await Promise.all([
        signed({ address: a, name: `twin-${round}`, team: 't', version: 0 }),
        signed({ address: b, name: `twin-${round}`, team: 't', version: 0 }),
      ])
      const twins = await Promise.allSettled(
        named.map((body) => saveServiceLabel({ ctx: bed.ctx, request: request(), body })),
      )
      expect.soft(outcome(twins).sort(), `round ${round}, same name`).toEqual(['409 name_taken', 'saved v1'])
    }
  })

  it('labelEditBody refuses bad names, addresses and unknown fields', () => {
    const ok = { address: bed.addr.bob, name: 'bob-2', team: 'apps', version: 1 }
    expect(labelEditBody.safeParse(ok).success).toBe(true)
    expect(labelEditBody.parse({ ...ok, address: bed.chain.accounts[2]!.address }).address).toBe(bed.addr.bob)
    const refused = [
      { ...ok, name: 'Bob' },
      { ...ok, name: `b${'x'.repeat(40)}` },
      { ...ok, name: '2bob' },
      { ...ok, name: '' },
      { ...ok, team: '' },
      { ...ok, address: '0x1234' },
      { ...ok, address: `${bed.addr.bob}00` },
      { ...ok, version: -1 },
      { ...ok, version: 1.5 },
      { ...ok, expiresAt: '0' },
      { ...ok, signature: '0x12' },
      { ...ok, extra: true },
    ]
    for (const body of refused)
      expect(labelEditBody.safeParse(body).success, JSON.stringify(body)).toBe(false)
    expect(labelEditBody.safeParse({ ...ok, name: `b${'x'.repeat(39)}` }).success).toBe(true)
  })
})
