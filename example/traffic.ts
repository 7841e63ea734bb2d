import type { ExampleServers } from './services'

/**
 * A steady trickle of requests into the example network, so the dashboard always has live
 * money flowing: `public` (valid and, now and then, invalid data) and `alice`/`bob` → `charlie`.
 * Failures are counted and reported at most once a minute, never retried in a loop.
 */
export function startTraffic({
  servers,
  perSecond = 2,
  log,
}: {
  servers: ExampleServers
  perSecond?: number
  log: (line: string) => void
}): { stop(): void; counts: { ok: number; failed: number } } {
  const counts = { ok: 0, failed: 0 }
  let n = 0
  let lastReport = 0
  const targets = [
    () => ({ url: `${servers.urls.public}/submit`, body: { name: n % 10 === 0 ? '' : `user-${n}` } }),
    () => ({ url: `${servers.urls.alice}/run`, body: { n } }),
    () => ({ url: `${servers.urls.bob}/run`, body: { n } }),
  ]
  const timer = setInterval(() => {
    n++
    const { url, body } = (targets[n % targets.length] as () => { url: string; body: unknown })()
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
      .then(async (response) => {
        if (response.ok) counts.ok++
        else throw new Error(`${new URL(url).port} answered ${response.status}: ${await response.text()}`)
      })
      .catch((error: Error) => {
        counts.failed++
        if (Date.now() - lastReport > 60_000) {
          lastReport = Date.now()
          log(`traffic: a request failed (${error.message}); ${counts.failed} failed so far`)
        }
      })
  }, 1000 / perSecond)
  return { stop: () => clearInterval(timer), counts }
}
