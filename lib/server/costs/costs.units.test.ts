import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectError } from '../../../test/kit/errors'
import { costReport } from '.'
import { type CostsTestbed, startCostsTestbed } from './testing'

/*
 * The costs CSV with `?unit=` on the thesis example (testing.ts: alice pays charlie 300 gwei,
 * bob 100 gwei, charlie pays dave 100 gwei; 40 gwei pending on alice → charlie): the exact wei
 * columns stay, and each is followed by the page's reading in the chosen unit.
 */

let bed: CostsTestbed
beforeAll(async () => {
  bed = await startCostsTestbed({ settled: true, pending: true })
}, 120_000)
afterAll(() => bed?.stop())

const usd = { currency: 'USD', rate: '3125.40' }
/** The report's lines split into cells (no cell of this example is quoted). */
const parseCsv = (csv: string) =>
  csv
    .split('\r\n')
    .slice(0, -1)
    .map((line) => line.split(','))
const report = async (group: string, unit: string | null, fiat: typeof usd | null = null) => {
  const [header = [], ...rows] = parseCsv(
    (await costReport(bed.ctx, { window: 'all' }, group, { unit, fiat })).csv,
  )
  return rows.map((r) => Object.fromEntries(header.map((k, i) => [k, r[i]])))
}

describe('costReport() with a unit', () => {
  it('costReport() adds a gwei column after each wei column, exact wei kept', async () => {
    const [header] = parseCsv((await costReport(bed.ctx, { window: 'all' }, 'service', { unit: 'gwei' })).csv)
    expect(header?.slice(3, 9)).toEqual([
      'paid_wei',
      'paid_gwei',
      'earned_wei',
      'earned_gwei',
      'net_wei',
      'net_gwei',
    ])
    const rows = await report('service', 'gwei')
    const alice = rows.find((r) => r.address === bed.addr.alice)
    const charlie = rows.find((r) => r.address === bed.addr.charlie)
    expect(alice).toMatchObject({
      paid_wei: '300000000000',
      paid_gwei: '300',
      net_gwei: '-300',
      pending_paid_wei: '40000000000',
      pending_paid_gwei: '40',
    })
    expect(charlie).toMatchObject({ earned_gwei: '400', paid_gwei: '100', net_gwei: '300' })
  })

  it('costReport() writes ETH and a fiat currency as the page rounds them, without separators', async () => {
    const eth = await report('pair', 'eth')
    const pair = (consumer: 'alice' | 'bob' | 'charlie') =>
      eth.find((r) => r.consumer_address === bed.addr[consumer])
    expect(pair('alice')).toMatchObject({ settled_wei: '300000000000', settled_eth: '0.0000003' })
    expect(pair('alice')).toMatchObject({
      price_wei: '10000000000',
      price_eth: '0.00000001',
      pending_eth: '0.00000004',
    })
    expect(pair('charlie')).toMatchObject({ settled_eth: '0.0000001', price_eth: '0.000000005' })
    // 300 gwei at 3125.40 USD per ETH = 0.00093762 USD: 4 significant digits. A negative net
    // is a number in the sheet, not quoted text.
    const teams = await report('team', 'usd', usd)
    expect(teams.find((r) => r.team === 'apps')).toMatchObject({
      paid_wei: '400000000000',
      paid_usd: '0.00125',
      net_usd: '-0.00125',
    })
  })

  it('costReport() refuses a unit that is no choice with 400 invalid_unit', async () => {
    const message = await expectError(
      costReport(bed.ctx, { window: 'all' }, 'service', { unit: 'usd', fiat: null }),
      400,
      'invalid_unit',
    )
    expect(message).toBe('`unit` must be one of ETH, gwei, wei.')
    expect(
      await expectError(
        costReport(bed.ctx, { window: 'all' }, 'service', { unit: 'btc', fiat: usd }),
        400,
        'invalid_unit',
      ),
    ).toBe('`unit` must be one of ETH, gwei, wei, USD.')
  })
})
