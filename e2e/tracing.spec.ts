import { expect, type Page, test } from '@playwright/test'
import { horizontalOverflow, screenshot } from './kit/pages'
import { expectedLoaded, redeemedOnChain, traceName, traceThroughCharlie } from './kit/tracing'

/*
 * Exact transitive tracing on the pages (issue 29 point 3, thesis 3.4): alice and bob pay
 * charlie, charlie pays dave in a category per origin (and one of its own), dave pays erin; all
 * through the stack's Payment Server, redeemed on its chain. Each origin's service page marks
 * charlie's part of its loaded cost as traced to the wei the chain redeemed in its category, the
 * rest and dave's part as estimated by request share, and states the caveat; the graph's
 * charlie → dave arrow names whom each traced category was for.
 */

/** A phone's width (Pixel 7, the suite's phone project), for the second look at each page. */
const PHONE = { width: 412, height: 915 }

/** The loaded-cost row of `service` on a service page: its attributed wei and its basis mark. */
const part = (page: Page, service: string) => {
  const row = page.locator(`[data-testid="loaded-part"][data-service="${service}"]`)
  return {
    row,
    attributed: row.locator('td').nth(3).locator('[data-wei]'),
    basis: row.getByTestId('attribution-basis'),
  }
}

test.describe('exact tracing on the pages', () => {
  // The middle services have fixed keys (the stack's env), so the network is made once, on the
  // desktop project; the phone width is looked at with setViewportSize in the same test.
  test.skip(({ isMobile }) => isMobile, 'the network is made once, on desktop')

  test('service pages mark traced parts exact to the chain’s wei, the rest estimated; the graph names the origin', async ({
    page,
    request,
  }, info) => {
    test.setTimeout(180_000)
    const net = await traceThroughCharlie(request)
    const chainSays = await redeemedOnChain(net.channels)
    // alice made 3 deep calls of 5, bob 1 of 2, charlie 2 of its own: dave's categories counted them.
    expect([chainSays.forAlice.requests, chainSays.forBob.requests, chainSays.own.requests]).toEqual([
      3n,
      1n,
      2n,
    ])

    for (const origin of ['alice', 'bob'] as const) {
      const want = expectedLoaded(chainSays, origin)
      await page.goto(`/services/${traceName(origin)}?window=all&unit=gwei`)
      await expect(page.getByTestId('service-name')).toContainText(traceName(origin))

      // charlie's spend on dave: the origin's category to the wei, its share of charlie's own calls besides.
      const charlie = part(page, traceName('charlie'))
      await expect(charlie.basis).toHaveAttribute('data-basis', 'mixed')
      await expect(charlie.basis).toHaveAttribute('data-traced', want.charlie.traced.toString())
      await expect(charlie.basis).toContainText('exact (traced), the rest estimated (by request share)')
      await expect(charlie.basis.locator('[data-wei]')).toHaveAttribute(
        'data-wei',
        want.charlie.traced.toString(),
      )
      await expect(charlie.attributed).toHaveAttribute('data-wei', want.charlie.attributed.toString())

      // dave's spend on erin is tagged by nobody: by request share alone.
      const dave = part(page, traceName('dave'))
      await expect(dave.basis).toHaveAttribute('data-basis', 'estimate')
      await expect(dave.basis).toHaveAttribute('data-traced', '0')
      await expect(dave.basis).toHaveText('estimated (by request share)')
      await expect(dave.attributed).toHaveAttribute('data-wei', want.dave.attributed.toString())

      await expect(page.getByTestId('loaded-part')).toHaveCount(2)
      await expect(page.getByTestId('loaded-total').locator('[data-wei]')).toHaveAttribute(
        'data-wei',
        want.total.toString(),
      )
      const caveat = page.getByTestId('tracing-caveat')
      await expect(caveat).toBeVisible()
      await expect(caveat).toContainText('a middle service could mislabel its downstream requests')

      if (origin === 'alice') {
        await page.getByTestId('loaded-section').scrollIntoViewIfNeeded()
        await screenshot(page, info, 'service-loaded')
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
        await page.setViewportSize(PHONE)
        await expect(caveat).toBeVisible()
        await screenshot(page, info, 'phone-width-service-loaded')
        expect(await horizontalOverflow(page), 'the service page at a phone width').toBeLessThanOrEqual(0)
        // The marks are in the table's last column, which scrolls sideways inside its frame there.
        await charlie.basis.scrollIntoViewIfNeeded()
        await expect(charlie.basis).toBeInViewport()
        await screenshot(page.getByTestId('loaded-section'), info, 'phone-width-loaded-marks')
        await page.setViewportSize({ width: 1280, height: 800 })
      }
    }

    // /costs, focused on charlie so its arrows are labelled whatever else the stack's graph holds.
    await page.goto(`/costs?window=all&rows=all&unit=gwei&focus=${net.parties.charlie.address}`)
    await expect(page.getByTestId('cost-graph')).toHaveAttribute('data-ready', 'true')
    const label = page.locator(
      `[data-testid="graph-edge-label"][data-consumer="${net.parties.charlie.address}"][data-provider="${net.parties.dave.address}"]`,
    )
    await label.hover()
    const settled = chainSays.forAlice.amount + chainSays.forBob.amount + chainSays.own.amount
    await expect(label).toHaveAttribute('data-settled', settled.toString())
    const tooltip = (await label.getAttribute('title')) ?? ''
    const lines = tooltip.split('\n')
    expect(lines).toContain(
      `· for-alice: 9 gwei for 3 requests at 3 gwei each, made for ${traceName('alice')} and counted as its: exact (traced)`,
    )
    expect(lines).toContain(
      `· for-bob: 3 gwei for 1 requests at 3 gwei each, made for ${traceName('bob')} and counted as its: exact (traced)`,
    )
    expect(lines).toContain('· own: 4 gwei for 2 requests at 2 gwei each')
    expect(lines).toContain('the other 4 gwei: estimated (by request share)')
    // The line itself carries the same words (an SVG <title>, shown on hovering the arrow).
    const arrow = page.locator(
      `[data-testid="graph-edge"][data-consumer="${net.parties.charlie.address}"][data-provider="${net.parties.dave.address}"]`,
    )
    await expect(arrow.locator('title')).toHaveText(tooltip)
    await screenshot(page, info, 'costs-graph')
    await page.setViewportSize(PHONE)
    await expect(page.getByTestId('cost-graph')).toHaveAttribute('data-ready', 'true')
    await screenshot(page, info, 'phone-width-costs-graph')
    await screenshot(page.getByTestId('cost-graph'), info, 'phone-width-graph')
  })
})
