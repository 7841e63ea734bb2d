import { expect, type Page, test } from '@playwright/test'
import type { CostGraph, ServiceCosts } from '../lib/costs/api'
import { chooseUnit, exactWei, formatAmount } from '../lib/units'
import { getJson } from './kit/api'
import { addr } from './kit/costs'
import { payEachOther } from './kit/costsActivity'
import { parseCsv } from './kit/costsPages'
import { screenshot } from './kit/pages'

/**
 * One display unit per view, as a manager switches it: on /costs and a service page every
 * amount carries the picked unit (in its text, or its table's header), reads as lib/units.ts
 * rounds it, and holds in its title the exact wei the API answers; the pick stays in the URL
 * and is remembered; the CSV with `?unit=` equals the page. The stack runs with DISPLAY_CURRENCY
 * USD at 3125.40 (playwright.config.ts). Screenshots at desktop and phone width.
 */

const fiat = { currency: 'USD', rate: '3125.40' }

/** Every amount on the page: its exact wei, title, text, unit, and whether its cell's header names the unit. */
async function amounts(page: Page) {
  return page.locator('main .amount').evaluateAll((spans) =>
    spans.map((s) => {
      const el = s as HTMLElement
      const cell = el.closest('td')
      const table = el.closest('table')
      const header =
        cell && table
          ? (table.querySelectorAll('thead th')[(cell as HTMLTableCellElement).cellIndex]?.textContent ?? '')
          : ''
      return {
        wei: el.dataset.wei ?? '',
        unit: el.dataset.unit ?? '',
        title: el.title,
        text: el.textContent ?? '',
        header,
      }
    }),
  )
}

/** Every amount is in `unit`: in its text, or (a bare table cell) in its column's header; exact wei in its title. */
async function expectAllIn(page: Page, unit: string) {
  const found = await amounts(page)
  expect(found.length).toBeGreaterThan(3)
  for (const a of found) {
    expect(a.unit, a.text).toBe(unit)
    expect(a.title.startsWith(exactWei(a.wei)), a.title).toBe(true)
    const reading = formatAmount({ wei: a.wei, unit, fiat, withUnit: false })
    if (a.text.endsWith(` ${unit}`)) expect(a.text).toBe(`${reading} ${unit}`)
    else {
      expect(a.text).toBe(reading)
      expect(a.header, `the header of ${a.text}`).toContain(`(${unit})`)
    }
  }
}

test.describe('one display unit per view', () => {
  test.describe.configure({ mode: 'serial' })
  test.skip(
    ({ isMobile }) => isMobile,
    'the chain activity is made once; phone screenshots resize the desktop page',
  )

  test('the unit picker on /costs and a service page; the CSV equals the page', async ({
    page,
    request,
  }, info) => {
    test.setTimeout(240_000)
    await payEachOther(request)
    const graph = await getJson<CostGraph>(request, '/api/costs/graph?window=all')

    await page.goto('/costs?window=all&rows=all')
    // Auto: the unit of the view's largest amount (here the API's), the same in every figure.
    const auto = chooseUnit([
      graph.totals.settled,
      graph.totals.pending,
      ...graph.nodes.flatMap((n) => [n.paid, n.earned]),
      ...graph.edges.flatMap((e) => [e.settled, e.pending]),
    ])
    await expect(page.getByTestId('unit-auto')).toHaveAttribute('aria-current', 'page')
    await expectAllIn(page, auto)

    for (const unit of ['gwei', 'USD', 'wei'] as const) {
      await page.getByTestId(`unit-${unit}`).click()
      await expect(page).toHaveURL(new RegExp(`[?&]unit=${unit}(&|$)`))
      await expect(page.getByTestId(`unit-${unit}`)).toHaveAttribute('aria-current', 'page')
      await expectAllIn(page, unit)
      // The totals are the API's, to the wei, in the title.
      const total = page.getByTestId('total-settled').locator('.amount')
      await expect(total).toHaveAttribute('data-wei', graph.totals.settled)
      await expect(total).toHaveAttribute('title', new RegExp(`^${exactWei(graph.totals.settled)}`))
      await expect(total).toHaveText(formatAmount({ wei: graph.totals.settled, unit, fiat }))
    }
    // Picked once, remembered: /costs without ?unit= renders in wei at once (the cookie is read on the server).
    const html = await (await page.request.get('/costs?window=all&rows=all')).text()
    expect(html).toContain('data-unit="wei"')
    await page.goto('/costs?window=all&rows=all&groupBy=service')
    await expectAllIn(page, 'wei')

    // The CSV with the page's unit equals the table: each wei column followed by its reading.
    await page.getByTestId('unit-gwei').click()
    // A pick is a client-side navigation: the page is in gwei once the picker says so.
    await expect(page.getByTestId('unit-gwei')).toHaveAttribute('aria-current', 'page')
    const href = await page.getByTestId('csv-link').getAttribute('href')
    expect(href).toContain('unit=gwei')
    const [header = [], ...rows] = parseCsv(await (await page.request.get(href ?? '')).text())
    const table = await page
      .getByTestId('cost-table')
      .evaluate((t) =>
        [...t.querySelectorAll('tbody > tr')].map((tr) =>
          Object.fromEntries(
            [...tr.querySelectorAll(':scope > td')].map((td) => [
              (td as HTMLElement).dataset.col,
              td.textContent?.replaceAll(',', '') ?? '',
            ]),
          ),
        ),
      )
    expect(header).toEqual(expect.arrayContaining(['paid_wei', 'paid_gwei', 'pending_earned_gwei']))
    expect(rows.length).toBe(table.length)
    rows.forEach((row, i) => {
      for (const col of ['paid', 'earned', 'net']) {
        expect(row[header.indexOf(`${col}_gwei`)], `${col} of row ${i}`).toBe(table[i]?.[`${col}_wei`])
      }
    })

    await screenshot(page, info, 'costs-gwei-desktop')
    await page.setViewportSize({ width: 412, height: 915 })
    await screenshot(page, info, 'costs-gwei-phone')
    await page.setViewportSize({ width: 1280, height: 800 })

    // A service page: the same unit, its figures the API's.
    const alice = addr('alice')
    const service = await getJson<ServiceCosts>(request, `/api/costs/services/${alice}?window=all`)
    await page.goto(`/services/${alice}?window=all&unit=USD`)
    await expectAllIn(page, 'USD')
    const paid = page.getByTestId('service-paid').locator('.amount')
    await expect(paid).toHaveAttribute('data-wei', service.service.paid)
    await expect(paid).toHaveText(formatAmount({ wei: service.service.paid, unit: 'USD', fiat }))
    // The window links keep the unit.
    await page.getByTestId('window-7d').click()
    await expect(page).toHaveURL(/unit=USD/)
    await expectAllIn(page, 'USD')
    await page.getByTestId('unit-ETH').click()
    await expect(page.getByTestId('unit-ETH')).toHaveAttribute('aria-current', 'page')
    await expectAllIn(page, 'ETH')
    await screenshot(page, info, 'service-eth-desktop')
    await page.setViewportSize({ width: 412, height: 915 })
    await screenshot(page, info, 'service-eth-phone')

    // Auto forgets the pick: back to each view's own best unit.
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.getByTestId('unit-auto').click()
    await page.goto('/costs?window=all&rows=all')
    await expect(page.getByTestId('unit-auto')).toHaveAttribute('aria-current', 'page')
    await expectAllIn(page, auto)
  })

  test('the cost graph follows the picker without a reload: labels in the unit, exact wei in the tooltip', async ({
    page,
    request,
  }) => {
    await payEachOther(request)
    const graph = await getJson<CostGraph>(request, '/api/costs/graph?window=all')
    const ac = graph.edges.find((e) => e.consumer === addr('alice') && e.provider === addr('charlie'))
    expect(ac, 'alice → charlie in the graph').toBeDefined()
    const settled = ac?.settled ?? ''
    // Focused on alice, so her edges are labelled however many edges the stack's graph has.
    await page.goto(`/costs?window=all&rows=all&unit=ETH&focus=${addr('alice')}`)
    await expect(page.getByTestId('cost-graph')).toHaveAttribute('data-ready', 'true')
    const label = page.locator(
      `[data-testid="graph-edge-label"][data-consumer="${addr('alice')}"][data-provider="${addr('charlie')}"]`,
    )
    await expect(label.locator('.amount').first()).toHaveText(formatAmount({ wei: settled, unit: 'ETH' }))
    // A mark on this document: a reload would lose it.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }))
    for (const unit of ['gwei', 'USD'] as const) {
      await page.getByTestId(`unit-${unit}`).click()
      await expect(page).toHaveURL(new RegExp(`[?&]unit=${unit}(&|$)`))
      const reading = formatAmount({ wei: settled, unit, fiat })
      const amount = label.locator('.amount').first()
      await expect(amount).toHaveText(reading)
      await expect(amount).toHaveAttribute('data-unit', unit)
      await expect(amount).toHaveAttribute('title', new RegExp(`^${exactWei(settled)}`))
      // The tooltip: the reading in the unit with the exact wei beside it (and a currency's rate).
      await expect(label).toHaveAttribute(
        'title',
        new RegExp(`settled ${reading} \\(${exactWei(settled)}\\)`),
      )
      if (unit === 'USD') await expect(label).toHaveAttribute('title', /at 3125\.40 USD per ETH/)
      // The node's line too, and the focus the user chose stays.
      const alice = page.locator(`[data-testid="graph-node"][data-address="${addr('alice')}"]`)
      await expect(alice.locator('.amount').first()).toHaveAttribute('data-unit', unit)
      await expect(alice).toHaveAttribute('data-state', 'focused')
      expect(await page.evaluate(() => 'sameDocument' in window), `${unit}: no reload`).toBe(true)
    }
  })
})
