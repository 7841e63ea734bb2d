import { LARGE_SUBMISSION_BYTES } from './network'
import type { ExampleServers } from './services'

/**
 * The `n`th submission the traffic sends `public`: every tenth invalid (an empty name), every
 * fourth large (notes past LARGE_SUBMISSION_BYTES, so validation charges its `large` category),
 * the others small.
 */
export function submission(n: number): { name: string; notes?: string } {
  const name = n % 10 === 0 ? '' : `user-${n}`
  return n % 4 === 0
    ? { name, notes: 'lorem ipsum '.repeat(Math.ceil(LARGE_SUBMISSION_BYTES / 10)) }
    : { name }
}

/**
 * A rush at `public` now and then, for validation's load pricing to answer: for `forSeconds`
 * of every `everySeconds` every request of the traffic goes to public (the total rate stays
 * the same, so benchmarks that set it measure what they set).
 */
export type Rush = { everySeconds: number; forSeconds: number }

/** Two minutes of every six: long enough for a few pricing windows and a redemption start. */
export const DEFAULT_RUSH: Rush = { everySeconds: 360, forSeconds: 120 }

/**
 * A steady trickle of requests into the example network, so the dashboard always has live
 * money flowing: `public` (small, large and, now and then, invalid data) and `alice`/`bob` →
 * `charlie`, with a rush at public (see {@link Rush}; null: none). Failures are counted and
 * reported at most once a minute, never retried in a loop.
 */
export function startTraffic({
  servers,
  perSecond = 2,
  rush = DEFAULT_RUSH,
  log,
}: {
  servers: ExampleServers
  perSecond?: number
  rush?: Rush | null
  log: (line: string) => void
}): { stop(): void; counts: { ok: number; failed: number } } {
  const counts = { ok: 0, failed: 0 }
  let n = 0
  let lastReport = 0
  const started = Date.now()
  const toPublic = () => ({ url: `${servers.urls.public}/submit`, body: submission(n) })
  const targets = [
    toPublic,
    () => ({ url: `${servers.urls.alice}/run`, body: { n } }),
    () => ({ url: `${servers.urls.bob}/run`, body: { n } }),
  ]
  // At the end of each period, so a fresh network starts at the base prices.
  const rushing = () =>
    rush !== null &&
    ((Date.now() - started) / 1000) % rush.everySeconds >= rush.everySeconds - rush.forSeconds
  const timer = setInterval(() => {
    n++
    const { url, body } = (rushing() ? toPublic : (targets[n % targets.length] as typeof toPublic))()
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
