import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectError } from '../../../test/kit/errors'
import { costGraphSchema } from '../../costs/api'
import { OVERHEAD_COLUMNS, withOverheadColumns } from '../../costs/overheadReport'
import { costTable, type GroupBy, toCsv } from '../../costs/report'
import { shortAddress } from '../../explorer/format'
import { forgetServiceNames } from '../services/labels'
import { costGraph, costOverhead, costReport } from '.'
import { type CostsTestbed, startCostsTestbed } from './testing'

/*
 * Pending costs (tokens the Payment Server accepted, not yet redeemed) on the thesis example
 * (testing.ts), in the cost graph and in the CSV report.
 */

let bed: CostsTestbed
beforeAll(async () => {
  bed = await startCostsTestbed({ settled: true, pending: true })
}, 120_000)
afterAll(() => bed?.stop())

describe('pending (accepted, not yet redeemed)', () => {
  it("window 'all': 40 gwei pending on alice → charlie, paid by alice, earned by charlie", async () => {
    const g = costGraphSchema.parse(await costGraph(bed.ctx, { window: 'all' }))
    expect(bed.edgeOf(g, 'alice', 'charlie')).toMatchObject({
      settled: '300000000000',
      pending: '40000000000',
      channels: [{ address: bed.ch.ac, pending: '40000000000' }],
    })
    expect(bed.edgeOf(g, 'bob', 'charlie')).toMatchObject({
      pending: '0',
      channels: [{ address: bed.ch.bc, pending: '0' }],
    })
    expect(bed.edgeOf(g, 'charlie', 'dave')?.pending).toBe('0')
    expect(bed.nodeOf(g, 'alice')).toMatchObject({ pendingPaid: '40000000000', pendingEarned: '0' })
    expect(bed.nodeOf(g, 'charlie')).toMatchObject({ pendingPaid: '0', pendingEarned: '40000000000' })
    expect(bed.nodeOf(g, 'bob')).toMatchObject({ pendingPaid: '0', pendingEarned: '0' })
    expect(g.totals.pending).toBe('40000000000')
    expect(g.totals.settled).toBe('500000000000')
  })

  it("a live window without alice's redemption still shows her pending edge", async () => {
    const g = await costGraph(bed.ctx, { window: '1h' })
    expect(bed.edgeOf(g, 'alice', 'charlie')).toMatchObject({
      settled: '0',
      requests: '0',
      redemptions: 0,
      pending: '40000000000',
    })
    expect(g.totals).toMatchObject({
      settled: '100000000000',
      pending: '40000000000',
      channels: 2,
      services: 3,
    })
  })

  it('a window ending in the past has no pending at all (null)', async () => {
    const g = await costGraph(bed.ctx, { from: '0', to: String(bed.redeemed.cd.time + 1) })
    expect(g.window.live).toBe(false)
    expect(g.totals.pending).toBeNull()
    expect(g.totals.settled).toBe('500000000000')
    expect(g.edges.map((e) => [e.pending, e.channels.map((c) => c.pending)])).toEqual([
      [null, [null]],
      [null, [null]],
      [null, [null]],
    ])
    expect(g.nodes.every((n) => n.pendingPaid === null && n.pendingEarned === null)).toBe(true)
  })
})

describe('costReport (CSV)', () => {
  const lines = (csv: string) => csv.split('\r\n').slice(0, -1)
  /** A CSV line without the overhead's columns (overhead.test.ts checks those). */
  const costCells = (line: string) => line.split(',').slice(0, -OVERHEAD_COLUMNS.length).join(',')

  it('equals the table of the graph for every grouping', async () => {
    const graph = await costGraph(bed.ctx, { window: 'all' })
    const overhead = await costOverhead(bed.ctx, { window: 'all' })
    const tableOf = (group: GroupBy) => withOverheadColumns(costTable(graph, group), group, overhead)
    for (const group of ['service', 'team', 'pair'] as const satisfies readonly GroupBy[]) {
      const { csv, filename } = await costReport(bed.ctx, { window: 'all' }, group)
      expect(csv).toBe(toCsv(tableOf(group)))
      expect(csv.endsWith('\r\n')).toBe(true)
      expect(filename).toMatch(
        new RegExp(`^costs-by-${group}-1970-01-01T000000Z-\\d{4}-\\d\\d-\\d\\dT\\d{6}Z\\.csv$`),
      )
    }
    // Without groupBy: by service.
    expect((await costReport(bed.ctx, { window: 'all' }, null)).csv).toBe(toCsv(tableOf('service')))
  })

  it('by team: the sums of the teams’ services', async () => {
    const { csv } = await costReport(bed.ctx, { window: 'all' }, 'team')
    const [header, ...rows] = lines(csv)
    expect(header).toBe(
      `team,services,paid_wei,earned_wei,net_wei,requests_made,requests_served,pending_paid_wei,pending_earned_wei,${OVERHEAD_COLUMNS.map((c) => c.key).join(',')}`,
    )
    expect(rows.map((r) => costCells(r).split(','))).toEqual([
      ['platform', '1', '100000000000', '400000000000', '300000000000', '20', '40', '0', '40000000000'],
      ['apps', '2', '400000000000', '0', '-400000000000', '40', '0', '40000000000', '0'],
      ['storage', '1', '0', '100000000000', '100000000000', '0', '20', '0', '0'],
    ])
  })

  it('by pair and by service: names, teams and amounts', async () => {
    const pair = lines((await costReport(bed.ctx, { window: 'all' }, 'pair')).csv)
    expect(pair[0]).toBe(
      'consumer,consumer_address,consumer_team,provider,provider_address,provider_team,channels,price_wei,requests,settled_wei,unconfirmed_wei,pending_wei',
    )
    const { alice, bob, charlie, dave } = bed.addr
    expect(pair.slice(1).sort()).toEqual(
      [
        `alice,${alice},apps,charlie,${charlie},platform,1,10000000000,30,300000000000,0,40000000000`,
        `bob,${bob},apps,charlie,${charlie},platform,1,10000000000,10,100000000000,0,0`,
        `charlie,${charlie},platform,dave,${dave},storage,1,5000000000,20,100000000000,0,0`,
      ].sort(),
    )
    const service = lines((await costReport(bed.ctx, { window: 'all' }, 'service')).csv)
    expect(costCells(service[1] ?? '')).toBe(
      `charlie,platform,${bed.addr.charlie},100000000000,400000000000,300000000000,20,40,0,40000000000`,
    )
    // A past window leaves the pending cells empty.
    const past = lines((await costReport(bed.ctx, { to: String(bed.redeemed.bc.time) }, 'team')).csv)
    expect(past.slice(1).map(costCells)).toEqual([
      // 300 gwei moved each: ties are by name.
      'apps,1,300000000000,0,-300000000000,30,0,,',
      'platform,1,0,300000000000,300000000000,0,30,,',
      // Paid no one and was paid nothing yet, but its startRedemption cost gas: a row of its own.
      'storage,1,0,0,0,0,0,,',
    ])
  })

  it('by pair: an unlabelled party has its full address in its own column', async () => {
    const label = await bed.db.serviceLabel.delete({ where: { address: bed.addr.dave } })
    // Deleted behind the labels' cache, as an edit through the API would forget it.
    forgetServiceNames(bed.db)
    try {
      const pair = lines((await costReport(bed.ctx, { window: 'all' }, 'pair')).csv)
      const [header, ...rows] = pair.map((l) => l.split(','))
      const records = rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])))
      const toDave = records.find((r) => r.consumer === 'charlie')
      expect(toDave).toMatchObject({
        consumer_address: bed.addr.charlie,
        provider: shortAddress(bed.addr.dave),
        provider_address: bed.addr.dave,
        provider_team: '(no team)',
      })
      for (const r of records) {
        expect(r.consumer_address).toMatch(/^0x[0-9a-f]{40}$/)
        expect(r.provider_address).toMatch(/^0x[0-9a-f]{40}$/)
      }
    } finally {
      await bed.db.serviceLabel.create({ data: label })
      forgetServiceNames(bed.db)
    }
  })

  it('refuses an unknown grouping with 400 invalid_group_by', async () => {
    const message = await expectError(
      costReport(bed.ctx, { window: 'all' }, 'bogus'),
      400,
      'invalid_group_by',
    )
    expect(message).toBe('`groupBy` must be one of service, team, pair.')
  })
})
