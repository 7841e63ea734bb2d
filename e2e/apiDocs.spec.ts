import { expect, type Page, type TestInfo, test } from '@playwright/test'
import { horizontalOverflow } from './kit/pages'

/*
 * The API reference (/api/docs): Redoc renders the Payment Server's and the explorer's OpenAPI
 * documents from this origin alone (no CDN, no web fonts) under the page's own CSP, reached
 * from the site's navigation; screenshots at 1280 and 390 CSS pixels.
 */

const WIDTH = { desktop: 1280, phone: 390 } as Record<string, number>

/** Every request that leaves the page's origin (blob: and data: URLs stay in the page). */
function watchOutside(page: Page, origin: string): { outside: string[]; problems: string[] } {
  const outside: string[] = []
  const problems: string[] = []
  page.on('request', (request) => {
    const url = new URL(request.url())
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin !== origin)
      outside.push(url.href)
  })
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
  return { outside, problems }
}

/** An operation's title as Redoc shows it (its accessible name starts with the anchor's). */
const operationHeading = (page: Page, title: string) =>
  page.getByRole('heading', {
    level: 2,
    name: new RegExp(`\\s${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
  })

/** What the viewport shows, kept with the test's results. */
async function shot(page: Page, info: TestInfo, name: string) {
  const file = info.outputPath(`${info.project.name}-${name}.png`)
  await page.screenshot({ path: file })
  await info.attach(`${info.project.name}-${name}`, { path: file, contentType: 'image/png' })
}

test('the API reference renders both documents from this origin only, reached from the navigation', async ({
  page,
  baseURL,
}, info) => {
  const width = WIDTH[info.project.name] ?? 1280
  await page.setViewportSize({ width, height: 844 })
  const { outside, problems } = watchOutside(page, new URL(baseURL as string).origin)

  await page.goto('/')
  await expect(page.getByTestId('nav-api')).toHaveAttribute('href', '/api/docs')
  await shot(page, info, 'home-header')
  await page.getByTestId('nav-api').click()
  await expect(page).toHaveURL(/\/api\/docs$/)
  await expect(page).toHaveTitle('Payment Server API reference · Channel inspector')
  for (const title of [
    'Verify and accept tokens (provider)',
    "Issue the next tokens for the caller's open channel to a provider (consumer)",
    'Get or create the open channel from the caller to a provider',
  ])
    await expect(operationHeading(page, title)).toBeVisible()
  await expect(page.getByTestId('api-docs-payment')).toHaveAttribute('aria-current', 'page')
  // The verify call's examples: a token in its wire format, and a refusal's code.
  const verify = page.locator('[id="operation/tokens.verify"]')
  await expect(verify).toContainText(/v1\.31337\.0x[0-9a-f]{40}\.1\.42\.0x[0-9a-f]{130}/)
  await verify.getByRole('tab', { name: '402' }).click()
  await expect(verify.getByRole('tabpanel', { name: '402' })).toContainText(
    'Request count 42 of token ID 1 was already accepted',
  )
  expect(await horizontalOverflow(page)).toBe(0)
  await shot(page, info, 'payment-top')
  await verify.scrollIntoViewIfNeeded()
  await shot(page, info, 'payment-verify')

  if (width >= 1000) {
    // Redoc's search runs in a worker made from a blob: URL, which the page's CSP allows.
    await page.getByPlaceholder('Search...').fill('redemption')
    await expect(page.getByRole('menuitem', { name: /Start a redemption now/ }).first()).toBeVisible()
  }

  await page.getByTestId('api-docs-explorer').click()
  await expect(page).toHaveURL(/\/api\/docs\?api=explorer$/)
  await expect(operationHeading(page, 'Latest blocks')).toBeVisible()
  await expect(page.getByTestId('api-docs-explorer')).toHaveAttribute('aria-current', 'page')
  expect(await horizontalOverflow(page)).toBe(0)
  await shot(page, info, 'explorer-top')

  expect(outside).toEqual([])
  expect(problems).toEqual([])
})
