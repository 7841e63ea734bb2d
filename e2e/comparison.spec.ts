import { expect, test } from '@playwright/test'
import type { CostGraph, ServiceComparison, ServiceCosts } from '../lib/costs/api'
import { getJson } from './kit/api'
import { addr } from './kit/costs'
import { payEachOther } from './kit/costsActivity'
import { inputTime, parseCsv } from './kit/costsPages'
import { horizontalOverflow, screenshot } from './kit/pages'

/**
 * What changed, as a manager reads it on a service's page: charlie (paid by alice and bob, pays
 * dave) from an hour before the payments to an hour after, against the window as long before it. The
 * page shows the API's figures (compare=previous) to the wei, and the costs CSV with
 * compare=previous has the same figures in charlie's row; /costs's Download CSV carries the
 * previous window and sums to its comparison (the exact sums against the chain are in
 * lib/server/costs/costs.comparison.test.ts). Screenshots at desktop and phone width.
 */

test.describe('the comparison with the window before', () => {
  test.skip(({ isMobile }) => isMobile, 'the chain activity is made once; the phone width is set by resizing')

  test("a service page's comparison is the API's and the CSV's, at desktop and phone widths", async ({
    page,
    request,
  }, info) => {
    test.setTimeout(240_000)
    const made = await payEachOther(request)
    // Both ends fixed, so the API, the page and the CSV read the same windows as the chain moves on.
    const from = Math.floor(made.firstRedemptionAt / 60) * 60 - 3_600
    const search = `from=${inputTime(from)}&to=${inputTime(from + 7_200)}`
    const charlie = addr('charlie')
    const api = await getJson<ServiceCosts>(
      request,
      `/api/costs/services/${charlie}?${search}&compare=previous`,
    )
    const comparison = api.comparison as ServiceComparison
    expect(comparison, 'compare=previous answers a comparison').not.toBeNull()
    // Charlie's three pairs were all paid in this window: each a mover, each new.
    expect(comparison.movers).toHaveLength(3)

    await page.goto(`/services/${charlie}?${search}&unit=gwei`)
    const section = page.getByTestId('service-comparison')
    await expect(section).toBeVisible()
    for (const side of ['paid', 'earned'] as const) {
      const row = section.locator(`[data-testid="service-comparison-row"][data-side="${side}"]`)
      const figures = comparison[side]
      const amounts = row.locator('[data-wei]')
      await expect(amounts.nth(0)).toHaveAttribute('data-wei', figures.settled)
      await expect(amounts.nth(1)).toHaveAttribute('data-wei', figures.previous)
      await expect(row.locator('[data-change]')).toHaveAttribute('data-change', figures.change)
      if (figures.previous === '0') await expect(row.getByTestId('change-percent')).toHaveText('new')
    }
    const movers = section.getByTestId('mover')
    await expect(movers).toHaveCount(comparison.movers.length)
    for (const [i, m] of comparison.movers.entries()) {
      await expect(movers.nth(i)).toHaveAttribute('data-consumer', m.consumer)
      await expect(movers.nth(i)).toHaveAttribute('data-provider', m.provider)
    }

    // The CSV's row for charlie says the same.
    const csv = await request.get(`/api/costs/report.csv?${search}&groupBy=service&compare=previous`)
    expect(csv.status(), await csv.text()).toBe(200)
    const [header = [], ...rows] = parseCsv(await csv.text())
    const row = rows
      .map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])))
      .find((r) => r.address === charlie)
    expect(row).toMatchObject({
      paid_wei: comparison.paid.settled,
      previous_paid_wei: comparison.paid.previous,
      change_paid_wei: comparison.paid.change,
      earned_wei: comparison.earned.settled,
      previous_earned_wei: comparison.earned.previous,
      change_earned_wei: comparison.earned.change,
      previous_from: comparison.window.from,
      previous_to: comparison.window.to,
    })

    // /costs in the same window: its Download CSV carries the previous window, and the CSV's
    // previous and change columns sum to the comparison above the table.
    const graph = await getJson<CostGraph>(request, `/api/costs/graph?${search}&compare=previous`)
    await page.goto(`/costs?${search}`)
    await expect(page.getByTestId('comparison-change').locator('[data-wei]')).toHaveAttribute(
      'data-wei',
      graph.comparison?.change.replace('-', '') ?? '',
    )
    const href = (await page.getByTestId('csv-link').getAttribute('href')) ?? ''
    expect(href).toContain('compare=previous')
    const [all = [], ...cells] = parseCsv(await (await request.get(href)).text())
    const sum = (key: string) => cells.reduce((n, r) => n + BigInt(r[all.indexOf(key)] || '0'), 0n)
    expect(sum('previous_paid_wei').toString()).toBe(graph.comparison?.settled)
    expect(sum('change_paid_wei').toString()).toBe(graph.comparison?.change)

    await page.goto(`/services/${charlie}?${search}&unit=gwei`)
    await section.scrollIntoViewIfNeeded()
    await screenshot(page, info, 'service-comparison-desktop')
    expect(await horizontalOverflow(page), 'desktop: nothing sticks out').toBe(0)
    await page.setViewportSize({ width: 412, height: 915 })
    await expect(section).toBeVisible()
    await screenshot(page, info, 'service-comparison-phone')
    expect(await horizontalOverflow(page), 'phone: nothing sticks out').toBe(0)
  })
})
