import { expect, type Locator, type Page, type TestInfo } from '@playwright/test'
import type { Arg } from './expected'

/** The search box in the page header (a GET form with an input named `q`). */
export function headerSearch(page: Page): Locator {
  return page.getByRole('banner').getByRole('searchbox')
}

/** Types `q` into the header's search box and presses Enter, as a person would. */
export async function searchFromHeader(page: Page, q: string): Promise<void> {
  const box = headerSearch(page)
  await expect(box).toBeVisible()
  await expect(box).toHaveAttribute('name', 'q')
  await box.fill(q)
  await box.press('Enter')
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Text that starts with `value` and does not go on with more digits (so 123 is not 1234). */
export const startsWithExactly = (value: string) => new RegExp(`^\\s*${escapeRegExp(value)}(?![0-9a-fA-F])`)

/**
 * Decoded arguments as DecodedArgs renders them inside `scope`: one row per argument, named, with
 * the exact value first in its cell (a reading such as '0.05 ETH' may follow it).
 */
export async function expectArgs(scope: Locator, args: Arg[]): Promise<void> {
  await expect(scope.getByTestId('decoded-arg')).toHaveCount(args.length)
  for (const arg of args) {
    const row = scope.locator(`[data-testid="decoded-arg"][data-name="${arg.name}"]`)
    await expect(row, arg.name).toContainText(arg.type)
    const cell = row.getByTestId('decoded-arg-value')
    // An address is a link with the whole address (its label follows); anything else is the
    // exact value, maybe followed by a reading such as ' · 0.05 ETH'.
    if (arg.type === 'address') await expect(cell.getByRole('link'), arg.name).toHaveText(arg.value)
    else await expect(cell, arg.name).toHaveText(startsWithExactly(arg.value))
  }
}

/**
 * A screenshot kept with the test's results (and attached to its report): the full page, or one
 * element of it (a full page at a phone's width is too tall to read a table in).
 */
export async function screenshot(target: Page | Locator, info: TestInfo, name: string): Promise<void> {
  const file = info.outputPath(`${info.project.name}-${name}.png`)
  if ('goto' in target) await target.screenshot({ path: file, fullPage: true })
  else await target.screenshot({ path: file })
  await info.attach(`${info.project.name}-${name}`, { path: file, contentType: 'image/png' })
}

/** By how many CSS pixels the page is wider than the viewport (0 when nothing sticks out). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
}
