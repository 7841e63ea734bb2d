import { expect, test } from '@playwright/test'
import { parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { CostGraph } from '../lib/costs/api'
import { windowLabel } from '../lib/costs/window'
import { adminKey, getJson } from './kit/api'
import { anvilUrl } from './kit/chain'
import {
  accounts,
  addr,
  expectedPairs,
  expectedServices,
  gwei,
  labelAdminKey,
  nameOf,
  PAIR_COLUMNS,
  plan,
  ROLES,
  SERVICE_COLUMNS,
  SETTLED,
  strangerKey,
  teamOf,
} from './kit/costs'
import { type CostActivity, payEachOther } from './kit/costsActivity'
import {
  asRecord,
  type Cells,
  edge,
  expectNoSidewaysScroll,
  inputTime,
  node,
  parseCsv,
  renderedTable,
  wei,
} from './kit/costsPages'
import { screenshot } from './kit/pages'
import { injectWallet } from './kit/wallet'

/**
 * Costs as a manager would see them. Four fresh services (keys derived from a per-run suffix)
 * pay each other through channels made with viem: alice → charlie and bob → charlie at 10 gwei
 * a request, charlie → dave at 5 gwei; the providers redeem 30, 10 and 20 requests. Three get
 * their label through the API with the admin key, dave through the Services page with a label
 * admin's wallet (after a wallet that is not one is refused). Then /costs: the graph, the
 * tables by service and by pair, the CSV export against the table, a custom window, the
 * service pages with their fully loaded cost and runway, and an edge to its channel.
 */

/** Filled by the first test, read by the next ones (serial, one worker). */
let made: CostActivity

test.describe('costs, as a manager would', () => {
  test.describe.configure({ mode: 'serial' })
  test.skip(({ isMobile }) => isMobile, 'chain activity and labels are made once, on desktop')

  test('setup: four services pay each other through three channels, redeemed on chain', async ({
    request,
  }) => {
    test.setTimeout(180_000)
    made = await payEachOther(request)
  })

  test('labels: three through the API, dave signed in the UI; a wallet that is no admin is refused', async ({
    page,
    request,
  }) => {
    for (const r of ['alice', 'bob', 'charlie'] as const) {
      const res = await request.post('/api/services/labels', {
        headers: { authorization: `Bearer ${adminKey()}` },
        data: { address: addr(r), name: nameOf(r), team: teamOf[r], version: 0 },
      })
      expect(res.status(), await res.text()).toBe(200)
      expect((await res.json()).label).toMatchObject({
        address: addr(r),
        name: nameOf(r),
        team: teamOf[r],
        version: 1,
        source: 'edit',
        updatedBy: null,
      })
    }

    const labels = async () =>
      (await getJson<{ labels: { address: string }[] }>(request, '/api/services/labels')).labels
    const before = await labels()
    expect(before.find((l) => l.address === addr('dave'))).toBeUndefined()

    const wallet = await injectWallet(page, { privateKey: strangerKey, rpcUrl: anvilUrl })
    await page.goto('/services')
    await page.getByTestId('wallet-connect').click()
    await page.locator('[data-testid="wallet-connector"][data-name="E2E Wallet"]').click()
    await expect(page.getByTestId('wallet-account')).toHaveAttribute(
      'data-address',
      wallet.address.toLowerCase(),
    )

    const form = page.getByTestId('label-form')
    await form.getByTestId('label-address').fill(accounts.dave.address)
    await form.getByTestId('label-name').fill(nameOf('dave'))
    await form.getByTestId('label-team').fill(teamOf.dave)
    await form.getByTestId('label-save').click()
    await expect(form.getByTestId('label-error')).toHaveText(
      'The edit is not signed by a label admin (LABEL_ADMINS): connect an admin wallet.',
    )
    expect(wallet.requests.filter((r) => r.method === 'eth_signTypedData_v4')).toHaveLength(1)
    await expect(page).toHaveURL(/\/services$/)
    expect(await labels()).toEqual(before)

    // The manager switches to the label admin's account and signs again.
    await wallet.switchAccount(labelAdminKey)
    const admin = privateKeyToAccount(labelAdminKey).address.toLowerCase()
    await expect(page.getByTestId('wallet-account')).toHaveAttribute('data-address', admin)
    await form.getByTestId('label-save').click()
    await expect(page).toHaveURL(new RegExp(`/services/${nameOf('dave')}$`), { timeout: 20_000 })
    // Labels are cached 5 s per web instance, and the page may come from another instance than
    // the one that took the edit: the new name shows within that time.
    await expect(async () => {
      await page.reload()
      await expect(page.getByTestId('service-name')).toContainText(nameOf('dave'), { timeout: 1_000 })
    }).toPass({ timeout: 20_000 })
    await expect(page.getByTestId('service-team')).toHaveText(teamOf.dave)
    const dave = (await labels()).find((l) => l.address === addr('dave'))
    expect(dave).toMatchObject({
      name: nameOf('dave'),
      team: teamOf.dave,
      version: 1,
      source: 'edit',
      updatedBy: admin,
    })
  })

  test('the cost graph and the tables over the whole history', async ({ page }) => {
    await page.goto('/')
    await page.getByTestId('nav-costs').click()
    await expect(page).toHaveURL(/\/costs$/)
    await page.getByTestId('window-all').click()
    await expect(page).toHaveURL(/\/costs\?(.+&)?window=all(&|$)/)
    await expect(page.getByTestId('window-all')).toHaveAttribute('aria-current', 'page')

    for (const r of ROLES) await expect(node(page, r), r).toHaveCount(1)
    for (const c of plan) {
      await expect(edge(page, c), c.key).toHaveAttribute('data-settled', SETTLED[c.key].toString())
      await expect(edge(page, c), c.key).toHaveAttribute('data-pending', '0')
    }

    // By service (the default grouping), every row: the stack holds other specs' networks too,
    // and a table shows its first 50 rows unless asked for all.
    await page.goto('/costs?window=all&rows=all')
    await expect(page.getByTestId('group-service')).toHaveAttribute('aria-current', 'page')
    const services = await renderedTable(page)
    const want = expectedServices()
    for (const r of ROLES) {
      const row = services.find((cells) => asRecord(cells).address === addr(r))
      expect(row, `a row for ${r}`).toBeDefined()
      // The cost columns first; the payment system's own gas follows (e2e/overhead.spec.ts).
      expect(row?.map((c) => c.col).slice(0, SERVICE_COLUMNS.length)).toEqual(SERVICE_COLUMNS)
      const record = asRecord(row as Cells)
      expect(Object.fromEntries(SERVICE_COLUMNS.map((k) => [k, record[k]])), r).toEqual(want[r])
    }

    // By pair: the three pairs with their requests and settled amounts.
    await page.getByTestId('group-pair').click()
    await expect(page).toHaveURL(/groupBy=pair/)
    await expect(page).toHaveURL(/window=all/)
    await expect(page.getByTestId('group-pair')).toHaveAttribute('aria-current', 'page')
    const pairs = await renderedTable(page)
    for (const p of expectedPairs()) {
      const row = pairs.find((cells) => {
        const r = asRecord(cells)
        return r.consumer === p.consumer && r.provider === p.provider
      })
      expect(row, `a row for ${p.consumer} → ${p.provider}`).toBeDefined()
      // A last `category` column is there when some pair of the stack is split by request
      // category (another spec's version 2 channel); these version 1 pairs leave it empty.
      const { category, ...record } = asRecord(row as Cells)
      expect(row?.map((c) => c.col).filter((c) => c !== 'category')).toEqual(PAIR_COLUMNS)
      expect(category ?? '').toBe('')
      expect(record).toEqual(p)
    }
  })

  test('the CSV export equals the table, cell by cell', async ({ page }) => {
    const cases = [
      {
        groupBy: 'service',
        key: (r: Record<string, string>) => r.address,
        ours: ROLES.map(addr) as string[],
      },
      {
        groupBy: 'pair',
        key: (r: Record<string, string>) => `${r.consumer}>${r.provider}`,
        ours: plan.map((c) => `${nameOf(c.consumer)}>${nameOf(c.provider)}`),
      },
    ]
    for (const { groupBy, key, ours } of cases) {
      await page.goto(`/costs?window=all&rows=all&groupBy=${groupBy}`)
      const table = await renderedTable(page)
      const href = await page.getByTestId('csv-link').getAttribute('href')
      expect(href).toContain('window=all')
      expect(href).toContain(`groupBy=${groupBy}`)
      const res = await page.request.get(href as string)
      expect(res.status(), await res.text()).toBe(200)
      expect(res.headers()['content-type']).toContain('text/csv')
      // The link carries the view's unit: after each exact wei column the CSV has its reading
      // in that unit (e2e/units.spec.ts checks those against the page); here the exact columns.
      const unit = new URL(href as string, 'http://x').searchParams.get('unit')
      expect(unit, 'the CSV link names the view unit').toBeTruthy()
      const [allHeader, ...allRows] = parseCsv(await res.text())
      const exact = (allHeader ?? [])
        .map((h, i) => [h, i] as const)
        .filter(([h]) => !h.endsWith(`_${unit?.toLowerCase()}`))
      expect(exact.length, `${groupBy}: unit columns follow wei columns`).toBeLessThan(allHeader?.length ?? 0)
      const header = exact.map(([h]) => h)
      const rows = allRows.map((cells) => exact.map(([, i]) => cells[i] as string))
      const columns = table[0]?.map((c) => c.col)
      expect(header, `${groupBy}: the CSV's exact columns are the table's column keys`).toEqual(columns)
      const csvRecords = rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])))
      for (const k of ours) {
        const tableRow = table.find((cells) => key(asRecord(cells)) === k)
        const csvRow = rows.find((_, i) => key(csvRecords[i] as Record<string, string>) === k)
        expect(tableRow, `${groupBy} ${k} in the table`).toBeDefined()
        expect(csvRow, `${groupBy} ${k} in the CSV`).toBeDefined()
        expect(csvRow, `${groupBy} ${k}`).toEqual(tableRow?.map((c) => c.value))
      }
    }
  })

  test('a custom window that ends before the payments shows none of them', async ({ page, request }) => {
    await page.goto('/costs?window=all&rows=all')
    for (const r of ROLES) await expect(node(page, r)).toHaveCount(1)
    // A whole minute before the first redemption, one day long.
    const to = Math.floor(made.firstRedemptionAt / 60) * 60 - 60
    const from = to - 86_400
    const custom = page.getByTestId('window-custom')
    await custom.locator('input[name="from"]').fill(inputTime(from))
    await custom.locator('input[name="to"]').fill(inputTime(to))
    await custom.getByRole('button', { name: 'Apply' }).click()
    await expect(page).toHaveURL(/[?&]to=/)
    const url = new URL(page.url())
    expect(url.searchParams.get('from')).toBe(inputTime(from))
    expect(url.searchParams.get('to')).toBe(inputTime(to))
    expect(url.searchParams.get('window')).toBeNull()
    await expect(page.getByTestId('as-of')).toHaveText(
      new RegExp(`^${windowLabel({ preset: 'custom', from, to, live: false })} · `),
    )
    for (const r of ROLES) await expect(node(page, r), r).toHaveCount(0)
    for (const c of plan) await expect(edge(page, c), c.key).toHaveCount(0)
    const rows = (await renderedTable(page)).map(asRecord)
    // A service may have a row for the gas it paid in the window (opening its channel): it
    // moved nothing then.
    for (const r of ROLES) {
      const row = rows.find((cells) => cells.address === addr(r))
      if (row)
        expect([row.paid_wei, row.earned_wei, row.requests_made, row.requests_served], r).toEqual([
          '0',
          '0',
          '0',
          '0',
        ])
    }
    // The page's total is the API's for the same window.
    const api = await getJson<CostGraph>(
      request,
      `/api/costs/graph?from=${inputTime(from)}&to=${inputTime(to)}`,
    )
    await expect(wei(page.getByTestId('total-settled'))).toHaveAttribute('data-wei', api.totals.settled)

    await page.getByTestId('window-all').click()
    await expect(page).toHaveURL(/window=all/)
    expect(new URL(page.url()).searchParams.get('from')).toBeNull()
    for (const r of ROLES) await expect(node(page, r), r).toHaveCount(1)
  })

  test('calendar periods, and what changed against the window as long before', async ({ page }) => {
    await page.goto('/costs?window=all&rows=all')
    await expect(page.getByTestId('as-of')).toHaveText(/^All time: up to \d{4}-\d\d-\d\d \d\d:\d\d UTC/)
    // All has nothing before it to compare with.
    await expect(page.getByTestId('comparison')).toHaveCount(0)
    await page.getByTestId('window-this-week').click()
    await expect(page).toHaveURL(/window=this-week/)
    await expect(page.getByTestId('window-this-week')).toHaveAttribute('aria-current', 'page')
    await expect(page.getByTestId('as-of')).toHaveText(
      /^This week: \d{4}-\d\d-\d\d 00:00 – \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    )

    // From an hour before the payments to now, against the window as long before it (the exact
    // figures are checked against the chain in lib/server/costs/costs.windows.test.ts).
    const from = Math.floor(made.firstRedemptionAt / 60) * 60 - 3_600
    await page.goto(`/costs?from=${inputTime(from)}`)
    await expect(page.getByTestId('comparison')).toContainText('against the window as long before it')
    await expect(page.getByTestId('comparison-change')).toHaveText(/^\+/)
    await expect(page.getByTestId('comparison-change').locator('[data-wei]')).toHaveAttribute(
      'data-wei',
      /^[1-9]\d*$/,
    )
    await expect(page.getByTestId('movers').locator('li').first()).toContainText(' → ')
  })

  test('service pages: paid, earned, fully loaded cost, channels and runway', async ({ page }) => {
    await page.goto('/costs?window=all&rows=all')
    await node(page, 'alice').locator('circle').click()
    await expect(page).toHaveURL(new RegExp(`/services/${nameOf('alice')}\\?window=all$`))
    await expect(page.getByTestId('service-name')).toContainText(nameOf('alice'))
    await expect(page.getByTestId('service-team')).toHaveText(teamOf.alice)
    await expect(wei(page.getByTestId('service-paid'))).toHaveAttribute('data-wei', gwei(300).toString())
    // In the view's one unit: its largest amount, the channel's 0.002 ETH of funds, reads in ETH.
    await expect(page.getByTestId('service-paid')).toHaveText('0.0000003 ETH')
    await expect(wei(page.getByTestId('service-earned'))).toHaveAttribute('data-wei', '0')
    await expect(wei(page.getByTestId('service-net'))).toHaveAttribute('data-wei', (-gwei(300)).toString())
    // Fully loaded: alice's own 300 gwei, plus her share of what charlie pays dave: she sends 30
    // of charlie's 40 requests (bob the other 10), so 3/4 × 100 gwei = 75 gwei; dave pays
    // nobody. 300 + 75 = 375 gwei.
    await expect(wei(page.getByTestId('service-loaded'))).toHaveAttribute('data-wei', gwei(375).toString())
    await expect(wei(page.getByTestId('loaded-total'))).toHaveAttribute('data-wei', gwei(375).toString())
    const parts = page.getByTestId('loaded-part')
    await expect(parts).toHaveCount(1)
    const charliePart = page.locator(`[data-testid="loaded-part"][data-service="${nameOf('charlie')}"]`)
    await expect(charliePart.locator('td[data-share]')).toHaveAttribute('data-share', '3/4')
    await expect(charliePart.locator('td[data-share]')).toHaveText('75 %')
    // Charlie's own spend (100 gwei) and the part alice carries (75 gwei).
    await expect(charliePart.locator('[data-wei]').nth(0)).toHaveAttribute('data-wei', gwei(100).toString())
    await expect(charliePart.locator('[data-wei]').nth(1)).toHaveAttribute('data-wei', gwei(75).toString())

    // Bob: 100 gwei own + 1/4 × 100 gwei = 125 gwei.
    await page.goto(`/services/${nameOf('bob')}?window=all`)
    await expect(wei(page.getByTestId('service-paid'))).toHaveAttribute('data-wei', gwei(100).toString())
    await expect(wei(page.getByTestId('service-loaded'))).toHaveAttribute('data-wei', gwei(125).toString())
    await expect(wei(page.getByTestId('loaded-total'))).toHaveAttribute('data-wei', gwei(125).toString())
    await expect(
      page.locator(`[data-testid="loaded-part"][data-service="${nameOf('charlie')}"] td[data-share]`),
    ).toHaveAttribute('data-share', '1/4')

    // Charlie, from bob's loaded-cost table.
    await page.locator(`[data-testid="loaded-part"][data-service="${nameOf('charlie')}"] a`).click()
    await expect(page).toHaveURL(new RegExp(`/services/${nameOf('charlie')}\\?window=all$`))
    await expect(wei(page.getByTestId('service-earned'))).toHaveAttribute('data-wei', gwei(400).toString())
    await expect(wei(page.getByTestId('service-paid'))).toHaveAttribute('data-wei', gwei(100).toString())
    await expect(wei(page.getByTestId('service-net'))).toHaveAttribute('data-wei', gwei(300).toString())
    // Dave pays nobody, so charlie's loaded cost is its own spend.
    await expect(wei(page.getByTestId('service-loaded'))).toHaveAttribute('data-wei', gwei(100).toString())
    await expect(page.getByTestId('loaded-part')).toHaveCount(0)
    const channels = page.getByTestId('service-channel')
    await expect(channels).toHaveCount(3)
    const toDave = page.locator(`[data-testid="service-channel"][data-address="${made.channels.cd}"]`)
    const cells = toDave.locator('td')
    await expect(cells.nth(1)).toHaveText('pays')
    await expect(cells.nth(2)).toHaveText(nameOf('dave'))
    await expect(wei(cells.nth(3))).toHaveAttribute('data-wei', gwei(5).toString())
    const left = parseEther('0.002') - gwei(100)
    await expect(wei(cells.nth(4))).toHaveAttribute('data-wei', left.toString())
    await expect(wei(cells.nth(5))).toHaveAttribute('data-wei', '0')
    // Spend per hour: the channel is younger than an hour of chain time, so the 100 gwei spent
    // count over one hour; runway = (0.002 ETH − 100 gwei) ÷ 100 gwei per hour = 19,999 h.
    await expect(wei(cells.nth(6))).toHaveAttribute('data-wei', gwei(100).toString())
    const runway = toDave.getByTestId('runway')
    await expect(runway).toHaveAttribute('data-seconds', String(19_999 * 3_600))
    await expect(runway).toHaveText('833 d 7 h')
    for (const key of ['ac', 'bc'] as const) {
      await expect(
        page.locator(`[data-testid="service-channel"][data-address="${made.channels[key]}"] td`).nth(1),
      ).toHaveText('is paid')
    }
  })

  test("an arrow of the graph opens its channel's page", async ({ page }) => {
    await page.goto('/costs?window=all&rows=all')
    const ac = plan[0]
    await expect(edge(page, ac)).toHaveAttribute('href', `/channels/${made.channels.ac}`)
    // The edge's label (drawn above every line) opens the channel too.
    await page
      .locator(
        `[data-testid="graph-edge-label"][data-consumer="${addr(ac.consumer)}"][data-provider="${addr(ac.provider)}"]`,
      )
      .click()
    await expect(page).toHaveURL(new RegExp(`/channels/${made.channels.ac}$`))
    await expect(page.getByTestId('channel-address')).toHaveText(made.channels.ac)
    await expect(page.getByTestId('channel-price')).toHaveAttribute('data-wei', gwei(10).toString())
    await expect(page.getByTestId('channel-provider-funds')).toHaveAttribute('data-wei', gwei(300).toString())
    await expect(page.getByTestId('channel-consumer-funds')).toHaveAttribute(
      'data-wei',
      (ac.deposit - gwei(300)).toString(),
    )
    await expect(page.getByTestId('channel-consumer')).toContainText(nameOf('alice'))
    await expect(page.getByTestId('channel-provider')).toContainText(nameOf('charlie'))
  })

  test('screenshots; neither page scrolls sideways', async ({ page }, info) => {
    await page.goto('/costs?window=all&rows=all')
    await expect(node(page, 'alice')).toHaveCount(1)
    await expectNoSidewaysScroll(page)
    await screenshot(page, info, 'costs')
    await page.goto(`/services/${nameOf('charlie')}?window=all`)
    await expect(wei(page.getByTestId('service-earned'))).toHaveAttribute('data-wei', gwei(400).toString())
    await expectNoSidewaysScroll(page)
    await screenshot(page, info, 'service')
  })
})
