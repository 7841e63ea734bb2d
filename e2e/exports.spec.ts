import { readFile } from 'node:fs/promises'
import { expect, type Locator, type Page, test } from '@playwright/test'
import type { Activity } from './kit/activity'
import { getJson } from './kit/api'
import { parseCsv } from './kit/costsPages'
import { readExplorerActivity } from './kit/explorer'
import { searchFromHeader, startsWithExactly } from './kit/pages'

/**
 * The explorer's CSV exports as an engineer uses them: "Download CSV" on an address's page and on
 * a channel's page downloads a file whose rows equal the rows the page shows, in order; and a
 * service's name typed in the header's search opens that service's page.
 */

let activity: Activity

test.beforeAll(async ({ playwright }, info) => {
  ;({ activity } = await readExplorerActivity({ playwright }, info))
})

/** Clicks the download link `testId` and gives the file's name and its rows (header first). */
async function download(page: Page, testId: string): Promise<{ filename: string; rows: string[][] }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()])
  return { filename: file.suggestedFilename(), rows: parseCsv(await readFile(await file.path(), 'utf8')) }
}

/** The columns of `rows` (header first) as records by column key. */
const records = ([header, ...rows]: string[][]) =>
  rows.map((r) => Object.fromEntries((header ?? []).map((key, i) => [key, r[i] ?? ''])))

const digits = (text: string | null) => (text ?? '').replace(/[^\d]/g, '')
const attr = (l: Locator, name: string) => l.getAttribute(name)

test("an address's Download CSV holds the rows of its transactions table, in order", async ({ page }) => {
  const address = activity.channelA.toLowerCase()
  await page.goto(`/address/${address}`)
  const shown = page.getByTestId('address-transactions').getByTestId('tx-row')
  await expect(shown.first()).toBeVisible()
  const { filename, rows } = await download(page, 'address-csv')
  expect(filename).toBe(`transactions-${address}-chain-${activity.chainId}.csv`)
  const csv = records(rows)
  const count = await shown.count()
  // One page of the table; the file holds them all, the page's first.
  if ((await page.getByTestId('pagination-older').count()) === 0) expect(csv).toHaveLength(count)
  for (let i = 0; i < count; i++) {
    const row = shown.nth(i)
    const want = csv[i] as Record<string, string>
    expect(
      {
        hash: await attr(row, 'data-hash'),
        block: digits(await row.locator('td[data-label="Block"]').textContent()),
        from: await row
          .locator('td[data-label="From → To"] [data-address]')
          .first()
          .getAttribute('data-address'),
        value: await row.locator('td[data-label="Value"] [data-wei]').getAttribute('data-wei'),
        fee: await row.locator('td[data-label="Fee"] [data-wei]').getAttribute('data-wei'),
        status: (await row.locator('td[data-label="Status"]').textContent())?.trim(),
      },
      `row ${i}`,
    ).toEqual({
      hash: want.hash,
      block: want.block_number,
      from: want.from,
      value: want.value_wei,
      fee: want.fee_wei,
      status: want.status,
    })
    if (want.method) await expect(row.locator('td[data-label="Method"]')).toHaveText(want.method)
  }
})

test("a channel's Download CSV holds the events of its timeline, in order, arguments and all", async ({
  page,
}) => {
  const channel = activity.channelA.toLowerCase()
  await page.goto(`/channels/${channel}`)
  const shown = page.getByTestId('channel-timeline').getByTestId('event-row')
  await expect(shown.first()).toBeVisible()
  const { filename, rows } = await download(page, 'channel-csv')
  expect(filename).toBe(`channel-events-${channel}-chain-${activity.chainId}.csv`)
  const csv = records(rows)
  await expect(shown).toHaveCount(csv.length)
  for (const [i, want] of csv.entries()) {
    const row = shown.nth(i)
    await expect(row, `event ${i}`).toHaveAttribute('data-name', want.event as string)
    expect(want.channel).toBe(channel)
    await expect(row.locator(`a[href="/tx/${want.tx_hash}"]`)).toHaveCount(1)
    await expect(row.locator(`a[href="/blocks/${want.block_number}"]`)).toHaveCount(1)
    const args = (want.args as string).split(' ').map((pair) => pair.split('=') as [string, string])
    await expect(row.getByTestId('decoded-arg')).toHaveCount(args.length)
    for (const [name, value] of args) {
      const cell = row
        .locator(`[data-testid="decoded-arg"][data-name="${name}"]`)
        .getByTestId('decoded-arg-value')
      if (/^0x[0-9a-f]{40}$/.test(value)) await expect(cell.getByRole('link'), name).toHaveText(value)
      else await expect(cell, name).toHaveText(startsWithExactly(value))
    }
  }
})

test("a service's name in the header search opens the service's page", async ({ page, request }) => {
  const { labels } = await getJson<{ labels: Array<{ name: string }> }>(request, '/api/services/labels')
  const name = labels[0]?.name
  expect(name, 'the example network labels its services').toBeTruthy()
  await page.goto('/blocks')
  await searchFromHeader(page, (name as string).toUpperCase())
  await expect(page).toHaveURL(new RegExp(`/services/${name}$`))
})
