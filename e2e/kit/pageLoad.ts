import type { Page, Request } from '@playwright/test'

/*
 * What loading a page costs the network: shared by e2e/prefetch.spec.ts (which asserts the
 * counts) and scripts/bench-pages.ts (which prints the counts and times as a table).
 */

/** One of the product's main pages, by what it shows. */
export type MainPage = { name: string; path: string }

/** GETs a JSON API path of the stack under test. */
export type GetJson = <T>(path: string) => Promise<T>

/**
 * The main pages of a running stack, with a real block, transaction, address, channel and
 * service taken from its own API (the newest of each): /, /blocks, a block, a transaction, an
 * address, /channels, a channel, /costs, /services, a service and /search.
 */
export async function mainPages(get: GetJson): Promise<MainPage[]> {
  const { channels } = await get<{ channels: Array<{ address: string; consumer: string }> }>(
    '/api/channels?limit=1',
  )
  const channel = channels[0]
  if (!channel) throw new Error('The stack has no channel yet: its pages have nothing to show.')
  const detail = await get<{ transactions: Array<{ hash: string; blockNumber: string }> }>(
    `/api/channels/${channel.address}`,
  )
  const tx = detail.transactions[0]
  if (!tx) throw new Error(`Channel ${channel.address} has no indexed transaction.`)
  const { labels } = await get<{ labels: Array<{ name: string }> }>('/api/services/labels')
  const service = labels[0]?.name
  if (!service) throw new Error('The stack has no labelled service.')
  return [
    { name: 'overview', path: '/' },
    { name: 'blocks', path: '/blocks' },
    { name: 'block', path: `/blocks/${tx.blockNumber}` },
    { name: 'transaction', path: `/tx/${tx.hash}` },
    { name: 'address', path: `/address/${channel.consumer}` },
    { name: 'channels', path: '/channels' },
    { name: 'channel', path: `/channels/${channel.address}` },
    { name: 'costs', path: '/costs' },
    { name: 'services', path: '/services' },
    { name: 'service', path: `/services/${service}` },
    { name: 'search', path: '/search' },
  ]
}

/** A request made while a page loaded. */
export type LoadRequest = {
  url: string
  method: string
  /** A Next.js router prefetch (its `Next-Router-Prefetch` or segment prefetch header). */
  prefetch: boolean
  /** ms from the navigation's start. */
  start: number
  end: number | null
  bytes: number
}

/** What loading one page took. */
export type PageLoad = {
  requests: LoadRequest[]
  prefetches: number
  /** Response bytes (headers and bodies) of every request. */
  bytes: number
  /** ms from the navigation's start until the last request before network idle ended. */
  idleMs: number
  /** URLs (without Next.js's `_rsc` cache-buster) of pages and assets fetched more than once. */
  repeated: string[]
}

/** Whether `r` is a Next.js router prefetch (whole route or segment). */
export const isPrefetch = (r: Request) => {
  const h = r.headers()
  return h['next-router-prefetch'] !== undefined || h['next-router-segment-prefetch'] !== undefined
}

/** `url` without its `_rsc` parameter, so one route's RSC fetches compare equal. */
const withoutRsc = (url: string) => {
  const u = new URL(url)
  u.searchParams.delete('_rsc')
  return u.toString()
}

/**
 * Loads `path` in `page` until network idle (Playwright's: no request for 500 ms) and says what
 * it fetched. Requests already in flight from an earlier page are not counted.
 */
export async function measurePageLoad(page: Page, path: string): Promise<PageLoad> {
  const seen = new Map<Request, LoadRequest>()
  const sizes: Promise<void>[] = []
  let t0 = 0
  const onRequest = (r: Request) => {
    seen.set(r, {
      url: r.url(),
      method: r.method(),
      prefetch: isPrefetch(r),
      start: performance.now() - t0,
      end: null,
      bytes: 0,
    })
  }
  const onDone = (r: Request) => {
    const entry = seen.get(r)
    if (!entry) return
    entry.end = performance.now() - t0
    sizes.push(
      r
        .sizes()
        .then((s) => {
          entry.bytes = s.responseHeadersSize + s.responseBodySize
        })
        .catch(() => {}),
    )
  }
  page.on('request', onRequest)
  page.on('requestfinished', onDone)
  page.on('requestfailed', onDone)
  t0 = performance.now()
  try {
    await page.goto(path, { waitUntil: 'networkidle' })
  } finally {
    page.off('request', onRequest)
    page.off('requestfinished', onDone)
    page.off('requestfailed', onDone)
  }
  await Promise.all(sizes)
  const requests = [...seen.values()]
  const counts = new Map<string, number>()
  // Pages, their RSC payloads and assets: GETs outside /api/. Two POSTs to one URL (the wallet's
  // JSON-RPC calls) are two questions, and a page's pollers (IndexerBadge, LiveBlocks) ask their
  // API again every 2 s by design, which a load slower than that sees twice.
  for (const r of requests.filter((r) => r.method === 'GET' && !new URL(r.url).pathname.startsWith('/api/')))
    counts.set(withoutRsc(r.url), (counts.get(withoutRsc(r.url)) ?? 0) + 1)
  return {
    requests,
    prefetches: requests.filter((r) => r.prefetch).length,
    bytes: requests.reduce((sum, r) => sum + r.bytes, 0),
    idleMs: Math.max(0, ...requests.map((r) => r.end ?? r.start)),
    repeated: [...counts].filter(([, n]) => n > 1).map(([url]) => url),
  }
}
