/**
 * The junk-flood row of `npm run bench:payment`: good paid traffic (a consumer's issue call,
 * then its provider's verify call, the two calls of every paid request) at a steady rate,
 * measured alone and under a flood of junk, in turn, in the same run. The flood is what a
 * hostile consumer can send through a provider it calls (whose middleware verifies whatever
 * token arrives, with the provider's key) and what a stranger can send directly: malformed
 * tokens, tokens of channels that do not exist, tokens of the real channel signed by someone
 * else, replays of accepted tokens, batches of these, and calls with made-up API keys.
 *
 * The good traffic and the first flood are open-loop (sent on a clock, not when the previous
 * answer came), so a slow server shows as latency rather than as fewer requests; that flood
 * goes through the provider's key. The second, saturating flood is closed-loop and comes from
 * a hostile service's own key: SATURATING_CONNECTIONS clients each send their next junk call
 * as soon as the last is answered, as fast as the server answers (on the old code such junk
 * made good traffic's p50 20 times slower). Its load generator runs in a process of its own at
 * the lowest CPU priority (./junkClient), standing in for the attacker's own machine.
 */
import { fork } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { generatePrivateKey } from 'viem/accounts'
import { signTokenNative } from '../../lib/server/tokenCrypto'
import { formatToken, parseToken } from '../../packages/payment-client/src/token'
import { client } from './httpClient'
import { addTally, type JunkTally, junkCall, type SaturatingOrder } from './junkClient'
import { percentile } from './paymentLoad'
import { ENDPOINT_PROVIDER, type Observed, OTHER_CPU_WARNING } from './paymentReport'

/** Good pairs (issue + verify) started per second. */
const GOOD_PAIRS_PER_SECOND = 40
/** Junk calls started per second ("a few hundred"), and the tokens in each batch call among them. */
const JUNK_PER_SECOND = 300
const JUNK_BATCH = 100
/** One junk call in this many is a batch of JUNK_BATCH well-formed junk tokens. */
const BATCH_EVERY = 100
/** Connections of the saturating flood, each sending its next junk call when the last is answered. */
const SATURATING_CONNECTIONS = 64
/** Seconds of each phase; phases alternate alone / flooded / saturated this many times. */
const PHASE_SECONDS = 10
const ROUNDS = 2

/** Calls `fn` `perSecond` times a second for `seconds`, on the clock; resolves when all have answered. */
async function paced(perSecond: number, seconds: number, fn: (i: number) => Promise<void>): Promise<void> {
  const total = Math.round(perSecond * seconds)
  const started = performance.now()
  const pending: Promise<void>[] = []
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond
    const wait = due - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    pending.push(fn(i))
  }
  await Promise.all(pending)
}

export type GoodTraffic = {
  /** Latencies of whole pairs (issue then verify), ms, ascending. */
  pairs: number[]
  /** Pairs that did not end in an accepted token. */
  failed: number
  firstFailure?: string
}

export type FloodRow = {
  alone: GoodTraffic
  /** Under the flood at a steady rate. */
  flooded: GoodTraffic
  junk: JunkTally
  /** Under the saturating flood (SATURATING_CONNECTIONS, closed loop). */
  saturated: GoodTraffic
  saturatingJunk: JunkTally
  /** Junk calls per second asked for, and tokens per second they carried. */
  junkPerSecond: number
  junkTokensPerSecond: number
  goodPairsPerSecond: number
}

/** Junk bodies for the verify endpoint, made before the clock starts. */
function junkBodies(realToken: string, accepted: readonly string[]): string[] {
  const { chainId, token } = parseToken(realToken)
  const signed = (channel: `0x${string}`, requests: bigint) =>
    formatToken({
      chainId,
      token: signTokenNative({ privateKey: generatePrivateKey(), chainId, channel, tokenId: 1n, requests }),
    })
  const randomChannel = () =>
    `0x${Buffer.from(generatePrivateKey().slice(2, 42), 'hex').toString('hex')}` as const
  // Well-formed junk: it parses, so only the checks after parsing can refuse it.
  const wellFormed = [
    () => signed(randomChannel(), 1n), // a channel that does not exist
    () => signed(token.channel, BigInt(1 + Math.floor(Math.random() * 1e9))), // signed by a stranger
    () => accepted[Math.floor(Math.random() * accepted.length)] as string, // a replay
  ]
  const kinds = [
    () => 'v1.garbage',
    () => `v1.${chainId}.${token.channel}.1.1.0x${'zz'.repeat(65)}`,
    ...wellFormed,
  ]
  const pick = (list: (() => string)[], i: number) => (list[i % list.length] as () => string)()
  const bodies: string[] = []
  for (let i = 0; i < 3_000; i++) {
    if (i % BATCH_EVERY === BATCH_EVERY - 1) {
      bodies.push(
        JSON.stringify({ tokens: Array.from({ length: JUNK_BATCH }, (_, k) => pick(wellFormed, k)) }),
      )
    } else bodies.push(JSON.stringify({ token: pick(kinds, i) }))
  }
  return bodies
}

/**
 * Measures good traffic alone and under the flood, alternating ROUNDS times, each phase
 * PHASE_SECONDS. The good consumer issues tokens for `provider`, and the provider verifies
 * them; the junk goes to the verify endpoint with the provider's key (what a hostile consumer
 * can make a provider forward) and, one call in ten, with a made-up key.
 */
export async function measureFlood({
  url,
  keys: { publicKey: consumerKey, providerKey },
  adminKey,
  provider = ENDPOINT_PROVIDER,
  log,
}: {
  url: string
  /** The API keys of the good consumer (the example's `public`) and its provider (ENDPOINT_PROVIDER). */
  keys: { publicKey: string; providerKey: string }
  /** The team admin key, which registers the saturating flood's hostile service. */
  adminKey: string
  /** The provider's service name (default ENDPOINT_PROVIDER). */
  provider?: string
  log: (line: string) => void
}): Promise<FloodRow> {
  const good = client(url, 32)
  const junk = client(url, 64)
  const issueBody = JSON.stringify({ provider })
  const accepted: string[] = []

  async function pair(into: GoodTraffic): Promise<void> {
    const started = performance.now()
    const issued = await good.post('/api/payment/tokens', consumerKey, issueBody)
    const token =
      issued.status === 200 ? (JSON.parse(issued.body) as { tokens: string[] }).tokens[0] : undefined
    const verified = token
      ? await good.post('/api/payment/tokens/verify', providerKey, JSON.stringify({ token }))
      : issued
    if (token && verified.status === 200) {
      into.pairs.push(performance.now() - started)
      if (accepted.length < 1_000) accepted.push(token)
    } else {
      into.failed++
      into.firstFailure ??= `${verified.status} ${verified.body.slice(0, 200)}`
    }
  }
  const goodPhase = (into: GoodTraffic) => paced(GOOD_PAIRS_PER_SECOND, PHASE_SECONDS, () => pair(into))

  const alone: GoodTraffic = { pairs: [], failed: 0 }
  const flooded: GoodTraffic = { pairs: [], failed: 0 }
  const saturated: GoodTraffic = { pairs: [], failed: 0 }
  const tally: JunkTally = { sent: 0, statuses: new Map() }
  const saturatingTally: JunkTally = { sent: 0, statuses: new Map() }
  // A warm-up, which also gives the replays their accepted tokens.
  await paced(GOOD_PAIRS_PER_SECOND, 3, () => pair({ pairs: [], failed: 0 }))
  const bodies = junkBodies(accepted[0] as string, accepted)
  const madeUpKey = `pk_${'0'.repeat(40)}`
  // The saturating flood comes from a service of its own (a hostile one the team registered).
  const hostileKey = await registerHostile(url, adminKey)
  const sendJunk = (into: JunkTally, key: string) => (i: number) =>
    junkCall(junk, { key, madeUpKey, bodies }, i, into)
  const saturating = saturatingFlood()
  const p50 = (t: GoodTraffic) => percentile(sorted(t.pairs), 50).toFixed(1)
  for (let round = 0; round < ROUNDS; round++) {
    await goodPhase(alone)
    await Promise.all([
      paced(JUNK_PER_SECOND, PHASE_SECONDS, sendJunk(tally, providerKey)),
      goodPhase(flooded),
    ])
    const [phaseTally] = await Promise.all([
      saturating.phase({
        url,
        key: hostileKey,
        madeUpKey,
        bodies,
        connections: SATURATING_CONNECTIONS,
        seconds: PHASE_SECONDS,
      }),
      goodPhase(saturated),
    ])
    addTally(saturatingTally, phaseTally)
    log(
      `flood round ${round + 1}: good p50 alone ${p50(alone)} ms, under the flood ${p50(flooded)} ms, under the saturating flood ${p50(saturated)} ms`,
    )
  }
  good.close()
  junk.close()
  saturating.stop()
  alone.pairs.sort((a, b) => a - b)
  flooded.pairs.sort((a, b) => a - b)
  saturated.pairs.sort((a, b) => a - b)
  const batchShare = 1 / BATCH_EVERY
  return {
    alone,
    flooded,
    junk: tally,
    saturated,
    saturatingJunk: saturatingTally,
    junkPerSecond: JUNK_PER_SECOND,
    junkTokensPerSecond: JUNK_PER_SECOND * (1 - batchShare + batchShare * JUNK_BATCH),
    goodPairsPerSecond: GOOD_PAIRS_PER_SECOND,
  }
}

const sorted = (values: readonly number[]) => [...values].sort((a, b) => a - b)

/** Registers a service for the saturating flood (a hostile party of the team); its API key. */
async function registerHostile(url: string, adminKey: string): Promise<string> {
  const response = await fetch(`${url}/api/payment/services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ name: `hostile-${Date.now()}`, team: 'hostile', key: { source: 'generate' } }),
  })
  const body = (await response.json()) as { apiKey?: string }
  if (!body.apiKey)
    throw new Error(`registering the hostile service: ${response.status} ${JSON.stringify(body)}`)
  return body.apiKey
}

/**
 * The saturating flood's load generator (./junkClient) as a process of its own at the lowest
 * CPU priority, standing in for the attacker's own machine: it takes the cores the server and
 * the good traffic leave, and its answers never queue before the good traffic's.
 */
function saturatingFlood() {
  const child = fork(path.join(import.meta.dirname, 'junkClient.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  if (child.pid !== undefined) os.setPriority(child.pid, 19)
  return {
    phase(order: SaturatingOrder): Promise<JunkTally> {
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`the flood's process exited (${code})`))
        child.once('exit', onExit)
        child.once('message', (m: { sent: number; statuses: [number, number][] }) => {
          child.off('exit', onExit)
          resolve({ sent: m.sent, statuses: new Map(m.statuses) })
        })
        child.send(order)
      })
    },
    stop: () => child.kill(),
  }
}

/** Target: good traffic's p50 under the flood at most this many times its p50 alone. */
export const FLOOD_TARGET = 2

/** The flood row's table; `observed` is its phase (for the cores unrelated processes used meanwhile). */
export function printFlood(row: FloodRow, observed: Observed | undefined): void {
  const otherCores = observed ? (observed.cpu.get('other') ?? 0) / observed.seconds : 0
  const p = (values: number[], at: number) => percentile(values, at).toFixed(1)
  const over = (t: GoodTraffic, at: number) => percentile(t.pairs, at) / percentile(row.alone.pairs, at)
  const answers = (t: JunkTally) =>
    `${[...t.statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ')} (${t.sent} calls)`
  const line = (name: string, t: GoodTraffic) =>
    `| ${name.padEnd(34)} | ${p(t.pairs, 50)} | ${p(t.pairs, 99)} | ${t === row.alone ? '-' : `${over(t, 50).toFixed(2)}×`} | ${t.pairs.length} | ${t.failed} |`
  const verdict = (t: GoodTraffic) => (over(t, 50) <= FLOOD_TARGET ? 'met' : 'MISSED')
  const failure = row.saturated.firstFailure ?? row.flooded.firstFailure ?? row.alone.firstFailure
  console.log(
    [
      '',
      `Good paid traffic under a junk flood (${row.goodPairsPerSecond} issue+verify pairs/s; ${ROUNDS} × ${PHASE_SECONDS} s each, alternating): the flood at ${row.junkPerSecond} calls/s (about ${Math.round(row.junkTokensPerSecond)} tokens/s), through the provider's key, and a saturating one from a hostile service's key (${SATURATING_CONNECTIONS} connections, each sending its next call when answered; its load generator a process of its own at the lowest CPU priority)`,
      '| good pairs                         | p50 ms | p99 ms | p50 ÷ alone | pairs | failed |',
      '|------------------------------------|-------:|-------:|------------:|------:|-------:|',
      line('alone (the gauge)', row.alone),
      line(`under ${row.junkPerSecond} junk calls/s`, row.flooded),
      line(`under ${SATURATING_CONNECTIONS} saturating connections`, row.saturated),
      `Target: p50 under the flood ≤ ${FLOOD_TARGET}× alone: ${verdict(row.flooded)}; under the saturating flood: ${verdict(row.saturated)}.`,
      `Junk answers: at ${row.junkPerSecond}/s ${answers(row.junk)}; saturating ${answers(row.saturatingJunk)}.`,
      ...(otherCores > OTHER_CPU_WARNING
        ? [
            `WARNING: unrelated processes used ${otherCores.toFixed(2)} cores during the flood row; the machine was not quiet.`,
          ]
        : []),
      ...(failure ? [`First failure of a good pair: ${failure}`] : []),
    ].join('\n'),
  )
}
