/**
 * What `npm run bench:payment` checks and counts about its runs, and the tokens of the verify
 * endpoint's gauge (./verifyGauge.ts).
 */
import path from 'node:path'
import { privateKeyToAccount } from 'viem/accounts'
import { signTokenNative } from '../../lib/server/tokenCrypto'
import { formatToken } from '../../packages/payment-client/src/token'
import { ANVIL_KEYS } from '../../stack/anvil'
import { type LoadResult, medianRun } from './paymentLoad'
import { ENDPOINT_PROVIDER, type Observed, REPEATS } from './paymentReport'

/** Seconds each crypto-only rate is measured for. */
const CRYPTO_SECONDS = 2

/** Runs that must not count: a non-2xx answer, a connection error, a refused token. */
export const invalid: string[] = []
export function check(what: string, r: LoadResult): LoadResult {
  if (r.non2xx > 0 || r.errors > 0 || r.count === 0) {
    const statuses = [...r.statuses].map(([s, n]) => `${s}: ${n}`).join(', ')
    const line = `${what}: ${r.non2xx} non-2xx, ${r.errors} connection errors (statuses ${statuses}); first failure: ${r.firstFailure ?? '-'}`
    invalid.push(line)
    console.log(`\n!!! INVALID RUN !!! ${line}\n`)
  }
  return r
}

/** Operations per second of `fn` on this thread over about CRYPTO_SECONDS (after a warm-up). */
export function rate(fn: (i: number) => unknown): number {
  for (let i = 0; i < 200; i++) fn(i)
  let n = 0
  const started = performance.now()
  while (performance.now() - started < CRYPTO_SECONDS * 1000) {
    for (let j = 0; j < 100; j++) fn(n++)
  }
  return n / ((performance.now() - started) / 1000)
}

/** Calls the Payment Server answered on `route` (all statuses) during an observed phase. */
export const callsOf = (observed: Observed | undefined, route: 'tokens.issue' | 'tokens.verify') =>
  (observed?.metrics.routes ?? [])
    .filter((r) => r.route.startsWith(`${route} `))
    .reduce((sum, r) => sum + r.calls, 0)

/** A run's rate (requests or tokens per second), when its result has one. */
export function rateOf(result: unknown): number | null {
  const rate = (result as { perSecond?: unknown } | undefined)?.perSecond
  return typeof rate === 'number' ? rate : null
}

/**
 * `count` tokens of the example's `public` → ENDPOINT_PROVIDER channel (or `to`'s, in its
 * `category` for a version 2 channel), issued in calls of 1000 with `key` (public's); a 429 of
 * the rate limits is waited out as its Retry-After says.
 */
export async function preIssue(
  url: string,
  key: string,
  count: number,
  to: { provider: string; category?: string } = { provider: ENDPOINT_PROVIDER },
): Promise<string[]> {
  const tokens: string[] = []
  while (tokens.length < count) {
    const response = await fetch(`${url}/api/payment/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ ...to, count: Math.min(1000, count - tokens.length) }),
    })
    const body = (await response.json()) as { tokens?: string[] }
    if (response.status === 429) {
      await new Promise((r) => setTimeout(r, Number(response.headers.get('retry-after') ?? 1) * 1000))
      continue
    }
    if (response.status !== 200 || !body.tokens)
      throw new Error(`issuing 1000 tokens: ${JSON.stringify(body)}`)
    tokens.push(...body.tokens)
  }
  return tokens
}

/**
 * The verify gauge's chain id and channel (a row of its own, no contract; another chain id than
 * the stack's, so the Payment Server's runner never sees it) and the key that signs its tokens.
 */
export const GAUGE_CHAIN_ID = 424_242
export const GAUGE_CHANNEL = '0x00000000000000000000000000000000000ba5e0'
const GAUGE_KEY = ANVIL_KEYS[8]
export const GAUGE_CONSUMER = privateKeyToAccount(GAUGE_KEY).address

/** `count` tokens of the gauge's channel, token ID 1, counts 1 to `count`, in the wire format. */
export function signGaugeTokens(count: number, chainId = GAUGE_CHAIN_ID): string[] {
  return Array.from({ length: count }, (_, i) =>
    formatToken({
      chainId,
      token: signTokenNative({
        privateKey: GAUGE_KEY,
        chainId,
        channel: GAUGE_CHANNEL,
        tokenId: 1n,
        requests: BigInt(i + 1),
      }),
    }),
  )
}

/**
 * The bench's options. `--only verify`: only the verify endpoint and its gauge (a quicker run,
 * e.g. to compare two commits). `--only flood`: only good traffic alone and under a junk flood
 * (./paymentFlood). `--only method002`: only the growth test and the threshold curve of seed 002
 * (./paymentMethod002). `--stack-root DIR`: the stack and the example network run from
 * another checkout (e.g. a previous commit's, with its own node_modules), measured by this
 * checkout's load generator and gauge, so two commits can be compared run by run.
 */
export function benchOptions(args: string[]): {
  only: 'verify' | 'flood' | 'method002' | null
  stackRoot: string | null
} {
  const value = (name: string) => {
    const at = args.indexOf(name)
    return at < 0 ? null : (args[at + 1] ?? null)
  }
  const only = value('--only')
  if (only !== null && only !== 'verify' && only !== 'flood' && only !== 'method002')
    throw new Error(`--only takes 'verify', 'flood' or 'method002', not '${only}'`)
  const stackRoot = value('--stack-root')
  return { only, stackRoot: stackRoot === null ? null : path.resolve(stackRoot) }
}

/** The median run of each entry of `alternating`, typed as its run's result. */
type Medians<E extends Array<[string, () => Promise<unknown>]>> = {
  [K in keyof E]: E[K] extends [string, () => Promise<infer R>] ? R & { rates: number[] } : never
}

/**
 * Runs repeated REPEATS times, the first observed by `observe` under its name: `repeated(name,
 * run)` in a row, `alternating([aName, a], [bName, b], ...)` in turn; each returns the median run.
 */
export function repeaters(observe: <T>(name: string, fn: () => Promise<T>) => Promise<T>) {
  return {
    async repeated<T extends { perSecond: number }>(name: string, run: () => Promise<T>) {
      const runs = [await observe(name, run)]
      while (runs.length < REPEATS) runs.push(await run())
      return medianRun(runs)
    },
    /** Each of `entries` REPEATS times, in turn (so all see the machine alike); their median runs. */
    async alternating<E extends Array<[string, () => Promise<{ perSecond: number }>]>>(
      ...entries: E
    ): Promise<Medians<E>> {
      const runs: Array<Array<{ perSecond: number }>> = []
      for (const [name, run] of entries) runs.push([await observe(name, run)])
      for (let i = 1; i < REPEATS; i++)
        for (const [k, [, run]] of entries.entries()) runs[k]?.push(await run())
      return runs.map(medianRun) as Medians<E>
    },
  }
}
