import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectError } from '../../../test/kit/errors'
import { costOverheadSchema, OVERHEAD_ACTIONS } from '../../costs/overhead'
import { UNLABELLED_TEAM } from '../../costs/report'
import { isoTime } from '../../costs/window'
import { parseCsv } from '../../explorer/csvParse'
import { costOverhead, costOverheadAt, costReport, serviceOverhead } from '.'
import { atOneBlock } from './clock'
import { asStrings, type OverheadBed, startOverheadBed, sumOf } from './overhead.fixture'
import { GWEI } from './testing'

/*
 * What the payment system itself costs, on real transactions (overhead.fixture.ts): every fee
 * the answer reports equals the receipts' gasUsed × effectiveGasPrice, summed here through
 * viem's getTransactionReceipt, per action, team and service, to the wei.
 */

let bed: OverheadBed
beforeAll(async () => {
  bed = await startOverheadBed()
}, 180_000)
afterAll(() => bed?.stop())

const everything = () => ({ window: 'all' })

describe('costOverhead()', () => {
  it('costOverhead() sums the fees of every action per team, as the receipts do, to the wei', async () => {
    const o = await costOverhead(bed.ctx, everything())
    expect(costOverheadSchema.parse(o)).toEqual(o)
    const receipts = await bed.receiptFees(0, 2 ** 40)
    // Every action happened, and the answer's totals are the receipts'.
    for (const a of ['open', 'fund', 'redeem', 'withdraw', 'terminate', 'other'] as const)
      expect(receipts.total[a]).toBeGreaterThan(0n)
    expect(o.totals.fees).toEqual(asStrings(receipts.total))
    expect(o.totals.total).toBe(sumOf(receipts.total).toString())
    expect(o.totals.transactions).toBe(receipts.transactions)
    expect(o.totals.outside).toBe(receipts.outside.toString())
    expect(Object.fromEntries(o.teams.map((t) => [t.team, t.fees]))).toEqual(
      Object.fromEntries([...receipts.byTeam].map(([team, fees]) => [team, asStrings(fees)])),
    )
    // Teams and outside add up to every fee paid.
    const teamsTotal = o.teams.reduce((s, t) => s + BigInt(t.total), 0n)
    expect(teamsTotal + BigInt(o.totals.outside)).toBe(BigInt(o.totals.total))
    // Most fees first.
    const totals = o.teams.map((t) => BigInt(t.total))
    expect([...totals].sort((a, b) => (b > a ? 1 : b < a ? -1 : 0))).toEqual(totals)
  })

  it('costOverhead() attributes each fee to the service that paid it', async () => {
    const o = await costOverhead(bed.ctx, everything())
    const receipts = await bed.receiptFees(0, 2 ** 40)
    const services = o.teams.flatMap((t) => t.services.map((s) => ({ ...s, inTeam: t.team })))
    for (const [payer, fees] of receipts.byPayer) {
      const s = services.find((x) => x.address === payer)
      expect(s?.fees, payer).toEqual(asStrings(fees))
      expect(s?.total).toBe(sumOf(fees).toString())
    }
    // The unlabelled consumer is a service of its own in no team; its channel's opening is its.
    const loner = services.find((s) => s.address === bed.loner)
    expect(loner).toMatchObject({
      name: null,
      team: null,
      inTeam: UNLABELLED_TEAM,
      settled: '0',
      ratio: null,
    })
    expect(BigInt(loner?.fees.open ?? '0')).toBeGreaterThan(0n)
    // The vault's calls reached its channel through its contract wallet: the opening is known
    // by the channel's opening transaction, the deposit only by the event it emitted.
    const vault = services.find((s) => s.address === bed.vault)
    expect(vault).toMatchObject({ name: 'vault', team: 'treasury', inTeam: 'treasury' })
    expect(BigInt(vault?.fees.open ?? '0')).toBeGreaterThan(0n)
    expect(BigInt(vault?.fees.fund ?? '0')).toBeGreaterThan(0n)
    expect(vault?.fees.other).toBe('0')
    // Named services carry their labels.
    expect(services.find((s) => s.address === bed.addr.alice)).toMatchObject({ name: 'alice', team: 'apps' })
  })

  it("costOverhead() counts a stranger's reverted deposit in its channel's and the totals' outside, in no team", async () => {
    const o = await costOverhead(bed.ctx, everything())
    const services = o.teams.flatMap((t) => t.services)
    expect(services.map((s) => s.address)).not.toContain(bed.stranger)
    const bc = o.channels.find((c) => c.address === bed.ch.bc)
    const strangerFee = await strangerDepositFee()
    expect(strangerFee).toBeGreaterThan(0n)
    expect(bc?.outside).toBe(strangerFee.toString())
    // The channel's own figures hold every fee sent to it, the stranger's too.
    expect(BigInt(bc?.fees.fund ?? '0')).toBeGreaterThan(strangerFee)
    // The factory's deployment (dev account 0, no service) is the rest of the outside.
    expect(BigInt(o.totals.outside)).toBe(strangerFee + BigInt(o.totals.fees.other))
  })

  it('costOverhead() sets the fees against the value settled: per team each channel once', async () => {
    const o = await costOverhead(bed.ctx, everything())
    const team = (name: string) => o.teams.find((t) => t.team === name)
    // ac 300 gwei and bc 100 gwei (apps pays, platform earns); cd 100 gwei (platform pays dave).
    expect(o.totals.settled).toBe((500n * GWEI).toString())
    expect(team('apps')?.settled).toBe((400n * GWEI).toString())
    expect(team('platform')?.settled).toBe((500n * GWEI).toString())
    expect(team('storage')?.settled).toBe((100n * GWEI).toString())
    const apps = team('apps')
    expect(apps?.ratio).toBeCloseTo(Number(BigInt(apps?.total ?? '0')) / Number(400n * GWEI), 9)
    const alice = apps?.services.find((s) => s.address === bed.addr.alice)
    expect(alice?.settled).toBe((300n * GWEI).toString())
    const ac = o.channels.find((c) => c.address === bed.ch.ac)
    expect(ac).toMatchObject({
      consumer: bed.addr.alice,
      provider: bed.addr.charlie,
      settled: (300n * GWEI).toString(),
    })
    expect(o.channelCount).toBe(5)
  })

  it("serviceOverhead() equals the network answer's entry of each service and its channels, from its rows only", async () => {
    const { now } = await bed.indexedHead()
    for (const query of [everything(), { from: String(bed.laterFrom), to: String(now + 1) }]) {
      const o = await costOverhead(bed.ctx, query)
      const services = o.teams.flatMap((t) => t.services)
      const who = [...new Set([...services.map((s) => s.address), bed.stranger, bed.vaultWallet])]
      expect(who.length).toBeGreaterThan(5)
      for (const address of who) {
        const share = await serviceOverhead(bed.ctx, address, query)
        expect(share.service, address).toEqual(services.find((s) => s.address === address) ?? null)
        expect(share.channels, address).toEqual(
          o.channels.filter((c) => c.consumer === address || c.provider === address),
        )
      }
    }
    // The stranger paid only outside and is a party to nothing.
    expect(await serviceOverhead(bed.ctx, bed.stranger, everything())).toEqual({
      service: null,
      channels: [],
    })
    // The filter is in the query: alice's read sums only the rows that touch her.
    const o = await costOverhead(bed.ctx, everything())
    const alices = await atOneBlock(bed.ctx, (db, clock) =>
      costOverheadAt(db, clock, everything(), bed.addr.alice),
    )
    expect(alices.totals.transactions).toBeGreaterThan(0)
    expect(alices.totals.transactions).toBeLessThan(o.totals.transactions)
  })

  it('a window that excludes the openings and redemptions holds only the later transactions', async () => {
    const { now } = await bed.indexedHead()
    const o = await costOverhead(bed.ctx, { from: String(bed.laterFrom), to: String(now + 1) })
    const receipts = await bed.receiptFees(bed.laterFrom, now + 1)
    const all = await bed.receiptFees(0, 2 ** 40)
    expect(receipts.transactions).toBeLessThan(all.transactions)
    expect(o.window).toMatchObject({ from: isoTime(bed.laterFrom), to: isoTime(now + 1) })
    expect(o.totals.fees).toEqual(asStrings(receipts.total))
    expect(receipts.total.redeem).toBe(0n)
    // Only the unlabelled consumer's and the vault's channels were opened in it.
    const openOf = (team: string) => BigInt(o.teams.find((t) => t.team === team)?.fees.open ?? '0')
    expect(BigInt(o.totals.fees.open)).toBe(openOf(UNLABELLED_TEAM) + openOf('treasury'))
    expect(Object.fromEntries(o.teams.map((t) => [t.team, t.fees]))).toEqual(
      Object.fromEntries([...receipts.byTeam].map(([team, fees]) => [team, asStrings(fees)])),
    )
    // Nothing settled in it: no ratio.
    expect(o.totals).toMatchObject({ settled: '0', ratio: null })
    // A window before the factory holds nothing.
    const before = await costOverhead(bed.ctx, { from: '1', to: '2' })
    expect(before.teams).toEqual([])
    expect(before.totals).toMatchObject({ total: '0', transactions: 0, outside: '0' })
    for (const a of OVERHEAD_ACTIONS) expect(before.totals.fees[a]).toBe('0')
  })

  it("costReport() carries each team's and service's overhead in exact wei, with a row for those that moved nothing", async () => {
    const o = await costOverhead(bed.ctx, everything())
    for (const group of ['team', 'service'] as const) {
      const [header, ...rows] = parseCsv((await costReport(bed.ctx, everything(), group)).csv)
      const records = rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])))
      const expected =
        group === 'team'
          ? o.teams.map((t) => ({ key: t.team, f: t }))
          : o.teams.flatMap((t) => t.services.map((s) => ({ key: s.address, f: s })))
      expect(expected.length).toBeGreaterThan(3)
      for (const { key, f } of expected) {
        const row = records.find((r) => r[group === 'team' ? 'team' : 'address'] === key)
        expect(row, `${group} ${key}`).toMatchObject({
          ...Object.fromEntries(OVERHEAD_ACTIONS.map((a) => [`gas_${a}_wei`, f.fees[a]])),
          gas_total_wei: f.total,
          moved_wei: f.settled,
          overhead_ratio: f.ratio === null ? '' : String(f.ratio),
        })
      }
      // The vault's team moved nothing: its row is there for its gas, its payments zero.
      if (group === 'team')
        expect(records.find((r) => r.team === 'treasury')).toMatchObject({
          paid_wei: '0',
          moved_wei: '0',
          overhead_ratio: '',
        })
    }
  })

  it('costOverhead() refuses a bad window with 400 invalid_window', async () => {
    await expectError(costOverhead(bed.ctx, { window: 'fortnight' }), 400, 'invalid_window')
    await expectError(costOverhead(bed.ctx, { from: '2026-12-02', to: '2026-12-01' }), 400, 'invalid_window')
    await expectError(costOverhead(bed.ctx, { from: 'yesterday-ish' }), 400, 'invalid_window')
  })
})

/** The stranger's reverted deposit's fee, from its receipt. */
async function strangerDepositFee(): Promise<bigint> {
  const c = bed.chain.publicClient
  const last = await c.getBlockNumber({ cacheTime: 0 })
  for (let n = bed.chain.factoryBlock; n <= last; n++) {
    const block = await c.getBlock({ blockNumber: n, includeTransactions: true })
    for (const tx of block.transactions) {
      if (tx.from.toLowerCase() !== bed.stranger) continue
      const r = await c.getTransactionReceipt({ hash: tx.hash })
      expect(r.status).toBe('reverted')
      return r.gasUsed * r.effectiveGasPrice
    }
  }
  throw new Error('no transaction of the stranger')
}
