import { expect, type Locator, type Page } from '@playwright/test'
import { addr, type plan, type Role } from './costs'

/* Reading the costs pages (e2e/costs.spec.ts): the cost table's cells, the graph, the CSV export. */

export type Cells = { col: string; value: string }[]

/** The cost table as rendered: each row's cells (data-col, data-value) in order. */
export async function renderedTable(page: Page): Promise<Cells[]> {
  return page.getByTestId('cost-table').evaluate((table) =>
    [...table.querySelectorAll('tbody > tr')].map((tr) =>
      [...tr.querySelectorAll(':scope > td')].map((td) => ({
        col: (td as HTMLElement).dataset.col ?? '',
        value: (td as HTMLElement).dataset.value ?? '',
      })),
    ),
  )
}

export const asRecord = (cells: Cells) => Object.fromEntries(cells.map((c) => [c.col, c.value]))

/** RFC 4180, as the exports write it (one reader for every CSV the e2e tests download). */
export { parseCsv } from '../../lib/explorer/csvParse'

/** An amount card or cell: the exact wei of the Amount inside. */
export const wei = (scope: Locator) => scope.locator('[data-wei]').first()

export const node = (page: Page, r: Role) =>
  page.locator(`[data-testid="graph-node"][data-address="${addr(r)}"]`)
export const edge = (page: Page, c: (typeof plan)[number]) =>
  page.locator(
    `[data-testid="graph-edge"][data-consumer="${addr(c.consumer)}"][data-provider="${addr(c.provider)}"]`,
  )

/** Neither page may scroll sideways at the desktop width. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }))
  expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px window`).toBeLessThanOrEqual(
    innerWidth,
  )
}

/** `yyyy-mm-ddThh:mm` (UTC) of a unix time, as the window's range inputs take it (they show a space for the T). */
export const inputTime = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 16)
