import { readFileSync } from 'node:fs'
import type { Address } from 'viem'
import { isAppError } from '../../lib/errors'
import { createChainClient } from '../../lib/server/chain'
import { createDb } from '../../lib/server/db/client'
import type { Logger } from '../../lib/server/log'
import { createPaymentServer } from '../../lib/server/payment/server'
import { parseToken } from '../../packages/payment-client/src/token'

/**
 * A Payment Server core in a process of its own, for tests that need a second OS process on the
 * same database and chain (lib/server/payment/concurrency.test.ts). Started as
 * `node --import tsx test/kit/paymentWorker.ts <job.json>`; it prints JSON lines on stdout:
 * `{"ready":true}` once the core is built, then waits for SIGUSR2 (so several workers start
 * their work together) unless the job says `wait: false`, then the job's output.
 *
 * Jobs:
 * - `verify`: verifies all `tokens` (shuffled by `seed`) `concurrency` at a time; prints
 *   `{"results":[{"requests","accepted","code"}],"conflicts":<n>}`, where a thrown error is a
 *   result with the error's code and `conflicts` is how often a write lost to the other core.
 * - `stream`: verifies `tokens` (shuffled by `seed`) `concurrency` at a time and prints
 *   `{"accepted":<count>}` as soon as each acceptance is answered (to be killed mid-way).
 * - `issue`: `calls` concurrent issues of one token each on `channel` (taking up to
 *   `issueAhead` counts ahead), then closes the core; prints
 *   `{"issued":[{"tokenId","requests","token"}],"givenBack":<counts given back at close>}`.
 */
export type PaymentWorkerJob = {
  databaseUrl: string
  rpcUrl: string
  factory: Address
  keystoreSecret: string
  /** The service the job acts as (provider for verify/stream, consumer for issue). */
  service: string
  wait: boolean
} & (
  | { kind: 'verify'; tokens: string[]; seed: number; concurrency: number }
  | { kind: 'stream'; tokens: string[]; seed: number; concurrency: number }
  | { kind: 'issue'; channel: Address; calls: number; issueAhead: number }
)

export type VerifyResult = { requests: string; accepted: boolean; code: string | null }

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`)

/** Deterministic shuffle (mulberry32), so a failing order can be replayed from its seed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

function stderrLogger(): Logger {
  const write = (m: string) => process.stderr.write(`[worker] ${m}\n`)
  const log: Logger = { debug: () => {}, info: () => {}, warn: write, error: write, child: () => log }
  return log
}

async function main() {
  const job = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as PaymentWorkerJob
  const go = new Promise<void>((resolve) => process.once('SIGUSR2', () => resolve()))
  const db = createDb({ databaseUrl: job.databaseUrl, max: 8 })
  const server = await createPaymentServer({
    db,
    databaseUrl: job.databaseUrl,
    client: createChainClient({ rpcUrl: job.rpcUrl }),
    rpcUrl: job.rpcUrl,
    factoryAddress: job.factory,
    settings: {
      chainCacheMs: 1_000,
      maxMissingRanges: 1_000,
      toleranceSeconds: 30,
      redeemAfterSeconds: 3_600,
      redeemValue: 10n ** 18n,
      intervalMs: 1_000,
      keystoreSecret: job.keystoreSecret,
      issueAhead: job.kind === 'issue' ? job.issueAhead : undefined,
    },
    log: stderrLogger(),
    environment: {},
  })
  const service = await server.services.byName(job.service)
  if (!service) throw new Error(`no service named ${job.service}`)
  print({ ready: true })
  if (job.wait) await go

  if (job.kind === 'verify') {
    const queue = shuffled(job.tokens, job.seed)
    const results: VerifyResult[] = []
    const lane = async () => {
      for (let wire = queue.shift(); wire !== undefined; wire = queue.shift()) {
        const requests = parseToken(wire).token.requests.toString()
        try {
          const outcome = await server.verifier.verify(service, wire)
          results.push({ requests, accepted: outcome.accepted, code: outcome.accepted ? null : outcome.code })
        } catch (error) {
          // A retryable failure (the HTTP layer answers 503): kept as its code, not a decision.
          results.push({ requests, accepted: false, code: isAppError(error) ? error.code : String(error) })
        }
      }
    }
    await Promise.all(Array.from({ length: job.concurrency }, lane))
    const conflicts = (await server.metrics.verifyConflicts.get()).values[0]?.value ?? 0
    print({ results, conflicts })
  } else if (job.kind === 'stream') {
    const queue = shuffled(job.tokens, job.seed)
    const lane = async () => {
      for (let wire = queue.shift(); wire !== undefined; wire = queue.shift()) {
        const outcome = await server.verifier.verify(service, wire)
        if (outcome.accepted) print({ accepted: outcome.requests.toString() })
      }
    }
    await Promise.all(Array.from({ length: job.concurrency }, lane))
    print({ done: true })
  } else {
    const channel = await server.channels.find(job.channel)
    if (!channel) throw new Error(`channel ${job.channel} is unknown`)
    const batches = await Promise.all(
      Array.from({ length: job.calls }, () => server.issuer.issue({ channel, consumer: service, count: 1 })),
    )
    const givenBack = await server.issuer.close()
    print({
      givenBack,
      issued: batches.flatMap((b) =>
        b.tokens.map((wire) => {
          const { token } = parseToken(wire)
          return { tokenId: token.tokenId.toString(), requests: token.requests.toString(), token: wire }
        }),
      ),
    })
  }
  await db.$disconnect()
  process.exit(0)
}

main().catch((error) => {
  process.stderr.write(`[worker] failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
