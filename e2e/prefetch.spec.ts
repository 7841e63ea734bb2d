import { expect, test } from '@playwright/test'
import { getJson } from './kit/api'
import { readExplorerActivity } from './kit/explorer'
import { isPrefetch, type MainPage, mainPages, measurePageLoad } from './kit/pageLoad'

/**
 * Fast pages (issue 30, point 7), by counts, not times (scripts/bench-pages.ts measures those):
 * no main page fires more than a handful of Next.js prefetches as it loads (before: 10 to 44 a
 * page, 73 requests on / as bench:pages measured), none fetches a page or asset twice, links in
 * tables and lists never prefetch, and a header link prefetches its page once pointed at.
 */

/** The most prefetches a page may fire while it loads. */
const HANDFUL = 5

let pages: MainPage[]

test.beforeAll(async ({ playwright }, info) => {
  // The explorer's activity, so every page has rows (and links) to show.
  await readExplorerActivity({ playwright }, info)
  const request = await playwright.request.newContext({ baseURL: info.project.use.baseURL })
  try {
    pages = await mainPages((path) => getJson(request, path))
  } finally {
    await request.dispose()
  }
})

test('every main page loads with at most a handful of prefetches, none from its tables, and no page or asset twice', async ({
  page,
}) => {
  const seen: Record<string, { prefetches: number; rowPrefetches: string[]; repeated: string[] }> = {}
  for (const { name, path } of pages) {
    const load = await measurePageLoad(page, path)
    seen[name] = {
      prefetches: Math.min(load.prefetches, HANDFUL + 1),
      // Rows link blocks, transactions, addresses and channels: none of them is prefetched.
      rowPrefetches: load.requests
        .filter((r) => r.prefetch && /\/(blocks\/\d|tx\/|address\/|channels\/0x)/.test(r.url))
        .map((r) => r.url),
      repeated: load.repeated,
    }
  }
  const fast = Object.fromEntries(
    pages.map(({ name }) => [name, { prefetches: expect.any(Number), rowPrefetches: [], repeated: [] }]),
  )
  test.info().annotations.push({
    type: 'prefetches per page',
    description: pages.map(({ name }) => `${name} ${seen[name]?.prefetches}`).join(', '),
  })
  expect(seen).toEqual(fast)
  for (const { name } of pages) expect(seen[name]?.prefetches, name).toBeLessThanOrEqual(HANDFUL)
})

test('a header link prefetches its page once pointed at, and only then', async ({ page }, info) => {
  test.skip(info.project.name === 'phone', 'a pointer hovers; a phone prefetches on touch')
  await measurePageLoad(page, '/search')
  const prefetched: string[] = []
  page.on('request', (r) => {
    if (isPrefetch(r)) prefetched.push(new URL(r.url()).pathname)
  })
  await page.getByTestId('nav-channels').hover()
  await expect.poll(() => prefetched).toContain('/channels')
  expect(prefetched.filter((p) => p !== '/channels')).toEqual([])
})
