import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryAbi } from '../../../contracts/generated'
import { parseToken } from '../../../packages/payment-client/src/token'
import { type Child, spawnChild } from '../../../stack/child'
import { type PaymentCores, startPaymentCores, type TestPayment } from '../../../test/kit/payment'
import type { PaymentWorkerJob, VerifyResult } from '../../../test/kit/paymentWorker'
import { bigintOf } from '../../columns/kinds'
import { countsFromJson, type StoredCounts } from '../../counter'
import { isAppError } from '../../errors'
import type { PaymentServer } from './server'
import type { Service } from './services'
import { sameTeam } from './testing'

/*
 * Acceptance and issuance under contention: two Payment Server cores on one database and one
 * chain, as two OS processes (test/kit/paymentWorker.ts) and as two cores in this process, and
 * a core killed with SIGKILL between answering and redeeming.
 */

const root = path.resolve(import.meta.dirname, '../../..')
const jobs = mkdtempSync(path.join(tmpdir(), 'payment-worker-'))
const children: Child[] = []
let cores: PaymentCores

beforeAll(async () => {
  cores = await startPaymentCores()
})

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop(1_000)))
  await cores?.stop()
  rmSync(jobs, { recursive: true, force: true })
})

/** A core on the file's testbed, on a database of its own or on `shared`'s. */
const payment: PaymentCores['core'] = (shared, settings) => cores.core(shared, settings)

/** What a worker needs to build a core like `t` (same database, chain, factory and keystore). */
const sameCore = (t: TestPayment) => ({
  databaseUrl: t.database.url,
  rpcUrl: t.testbed.url,
  factory: t.testbed.factory,
  keystoreSecret: t.server.settings.keystoreSecret as string,
})

/** alice (consumer) and bob (provider) on `t`, and a channel between them. */
async function setUp(t: TestPayment, deposit = 10n ** 9n) {
  const alice = (await t.service('alice')).service
  const bob = (await t.service('bob')).service
  const channel = await t.channel(alice, bob, { deposit, costPerRequest: 1_000n })
  return { alice, bob, channel }
}

type Message = Record<string, unknown>

/** Starts test/kit/paymentWorker.ts on `job`; `until` waits for the first message `pick` maps to a value. */
function spawnWorker(job: PaymentWorkerJob) {
  const file = path.join(jobs, `${randomUUID()}.json`)
  writeFileSync(file, JSON.stringify(job))
  const messages: Message[] = []
  const other: string[] = []
  let wake: Array<() => void> = []
  const notify = () => {
    const waiting = wake
    wake = []
    for (const w of waiting) w()
  }
  const child = spawnChild({
    name: 'payment-worker',
    command: process.execPath,
    args: ['--import', 'tsx', 'test/kit/paymentWorker.ts', file],
    cwd: root,
    onLine: (line) => {
      if (line.startsWith('{')) messages.push(JSON.parse(line) as Message)
      else other.push(line)
      notify()
    },
  })
  children.push(child)
  // 'close' comes after the last output line was read, unlike 'exit'.
  let closed = false
  const done = new Promise<void>((resolve) =>
    child.process.once('close', () => {
      closed = true
      notify()
      resolve()
    }),
  )
  async function until<T>(pick: (m: Message) => T | undefined): Promise<T> {
    for (;;) {
      for (const m of messages) {
        const value = pick(m)
        if (value !== undefined) return value
      }
      if (closed) throw new Error(`payment worker ended without the expected output:\n${other.join('\n')}`)
      await new Promise<void>((resolve) => wake.push(resolve))
    }
  }
  return { child, messages, until, done }
}

type Worker = ReturnType<typeof spawnWorker>

/** Waits until every worker has built its core, then lets them all go at once. */
async function startTogether(workers: Worker[]) {
  await Promise.all(workers.map((w) => w.until((m) => m.ready)))
  for (const w of workers) w.child.process.kill('SIGUSR2')
}

const countsOf = (tokens: string[]) => tokens.map((w) => parseToken(w).token.requests)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => BigInt(from + i))
const ascending = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0)

/** One answer of a core: accepted, refused with a code, or failed (the code of the thrown error). */
type Answer = { requests: bigint; accepted: boolean; code: string | null }

/**
 * Verifies `wires` in their order, `lanes` at a time (as a pool of HTTP clients would), the
 * same way test/kit/paymentWorker.ts does in its own process.
 */
async function verifyInLanes(server: PaymentServer, provider: Service, wires: string[], lanes: number) {
  const queue = wires.slice()
  const answers: Answer[] = []
  const lane = async () => {
    for (let wire = queue.shift(); wire !== undefined; wire = queue.shift()) {
      const requests = parseToken(wire).token.requests
      try {
        const o = await server.verifier.verify(provider, wire)
        answers.push({ requests, accepted: o.accepted, code: o.accepted ? null : o.code })
      } catch (error) {
        answers.push({ requests, accepted: false, code: isAppError(error) ? error.code : String(error) })
      }
    }
  }
  await Promise.all(Array.from({ length: lanes }, lane))
  return answers
}

/** A fixed permutation of `items` (`step` coprime with the length). */
const permuted = <T>(items: readonly T[], step: number): T[] =>
  items.map((_, i) => items[(i * step) % items.length] as T)

/**
 * What two cores that each verified all 300 tokens must have done together: every count
 * accepted by exactly one of them, and the channel's row the complete record of 1..300 kept
 * with the signature of count 300. Then, that neither failed to decide: every other answer is
 * `count_already_accepted` (no retryable error such as `busy` for a valid token).
 */
async function expectEachAcceptedOnce(t: TestPayment, channel: Address, tokens: string[], sides: Answer[][]) {
  for (const side of sides) expect(side).toHaveLength(300)
  const accepted = sides.flatMap((s) => s.filter((a) => a.accepted).map((a) => a.requests))
  expect(accepted.sort(ascending)).toEqual(range(1, 300))

  const row = await t.database.db.paymentAccepted.findUniqueOrThrow({
    where: { chainId_channel_tokenId: { chainId: t.server.chainId, channel, tokenId: '1' } },
  })
  expect(row.highest.toFixed()).toBe('300')
  expect(row.accepted.toFixed()).toBe('300')
  expect(countsFromJson(row.counts as StoredCounts)).toEqual({ highest: 300n, missing: [], forgotten: 0n })
  expect(row.signature).toBe(parseToken(tokens[299] as string).token.signature)
  expect(row.closedAt).toBeNull()

  const others = sides.flatMap((s) => s.filter((a) => !a.accepted))
  const byCode: Record<string, number> = {}
  for (const a of others) byCode[a.code ?? ''] = (byCode[a.code ?? ''] ?? 0) + 1
  expect(byCode).toEqual({
    count_already_accepted: 300,
  })
}

const LANES = 16

describe('two Payment Server cores on one database', () => {
  it('verify() in two OS processes accepts each of 300 counts exactly once in total', async () => {
    const t = await payment()
    const { alice, channel } = await setUp(t)
    const { tokens } = await t.server.issuer.issue({ channel, consumer: alice, count: 300 })
    expect(countsOf(tokens)).toEqual(range(1, 300))

    const workers = [11, 29].map((seed) =>
      spawnWorker({
        kind: 'verify',
        ...sameCore(t),
        service: 'bob',
        wait: true,
        tokens,
        seed,
        concurrency: LANES,
      }),
    )
    await startTogether(workers)
    const sides = await Promise.all(
      workers.map((w) => w.until((m) => m.results as VerifyResult[] | undefined)),
    )
    await Promise.all(workers.map((w) => w.done))
    for (const w of workers) expect(w.child.process.exitCode).toBe(0)

    await expectEachAcceptedOnce(
      t,
      channel.address,
      tokens,
      sides.map((s) => s.map((r) => ({ ...r, requests: BigInt(r.requests) }))),
    )
  })

  it('verify() on two cores in one process accepts each of 300 counts exactly once in total', async () => {
    const t = await payment()
    const other = await payment(t)
    const { alice, bob, channel } = await setUp(t)
    const { tokens } = await t.server.issuer.issue({ channel, consumer: alice, count: 300 })

    const sides = await Promise.all([
      verifyInLanes(t.server, bob, permuted(tokens, 7), LANES),
      verifyInLanes(other.server, bob, permuted(tokens, 113).reverse(), LANES),
    ])
    await expectEachAcceptedOnce(t, channel.address, tokens, sides)
  })

  it.each([
    { issueAhead: 0, mode: 'consecutive counts, each taken by its batch' },
    { issueAhead: 64, mode: 'distinct counts, taking counts ahead, with at most the counts held lost' },
  ])('issue() in two OS processes hands out $mode (issueAhead $issueAhead)', async ({ issueAhead }) => {
    const t = await payment()
    const { bob, channel } = await setUp(t)
    const workers = [0, 1].map(() =>
      spawnWorker({
        kind: 'issue',
        ...sameCore(t),
        service: 'alice',
        wait: true,
        channel: channel.address,
        calls: 200,
        issueAhead,
      }),
    )
    await startTogether(workers)
    type Issued = { tokenId: string; requests: string; token: string }
    const sides = await Promise.all(workers.map((w) => w.until((m) => m.issued as Issued[] | undefined)))

    for (const side of sides) expect(side).toHaveLength(200)
    const all = sides.flat()
    expect(new Set(all.map((i) => i.tokenId))).toEqual(new Set(['1']))
    const counts = all.map((i) => BigInt(i.requests)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
    const issued = await t.database.db.paymentIssued.findUniqueOrThrow({
      where: {
        chainId_channel_tokenId: { chainId: t.server.chainId, channel: channel.address, tokenId: '1' },
      },
    })
    const highest = bigintOf(issued.requests)
    if (issueAhead === 0) {
      expect(counts).toEqual(range(1, 400))
      expect(highest).toBe(400n)
    } else {
      // No count twice; the counts skipped are those a core held below the other's when it
      // closed (the top holder gives its counts back), at most issueAhead per core.
      expect(new Set(counts).size).toBe(400)
      expect(counts.at(-1)).toBeLessThanOrEqual(highest)
      expect(highest - 400n).toBeLessThanOrEqual(BigInt(2 * issueAhead))
    }
    // The tokens are real: the provider accepts every one of them, each with the count it claims.
    const outcomes = await t.server.verifier.verifyMany(
      bob,
      all.map((i) => i.token),
    )
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(400)
  })
})

describe('a core killed with SIGKILL between acceptance and redemption', () => {
  it('loses no acknowledged count: a fresh core refuses them again and redeems at least the highest', async () => {
    const t = await payment()
    const { alice, bob, channel } = await setUp(t)
    const { tokens } = await t.server.issuer.issue({ channel, consumer: alice, count: 2_000 })

    const worker = spawnWorker({
      kind: 'stream',
      ...sameCore(t),
      service: 'bob',
      wait: false,
      tokens,
      seed: 5,
      concurrency: 8,
    })
    const acknowledged = () =>
      worker.messages.flatMap((m) => (typeof m.accepted === 'string' ? [BigInt(m.accepted)] : []))
    await worker.until(() => (acknowledged().length >= 100 ? true : undefined))
    process.kill(-(worker.child.process.pid as number), 'SIGKILL')
    await worker.done
    expect(worker.child.process.signalCode).toBe('SIGKILL')
    const acks = acknowledged()
    expect(acks.length).toBeGreaterThanOrEqual(100)
    expect(acks.length).toBeLessThan(2_000) // killed mid-way, with verifications in flight
    const maxAck = [...acks].sort(ascending).at(-1) as bigint

    // A fresh core (no memory of the dead one) refuses every acknowledged count again.
    const fresh = await payment(t, sameTeam(t, { redeemValue: 1n }))
    const byCount = new Map(tokens.map((w) => [parseToken(w).token.requests, w]))
    const again = await fresh.server.verifier.verifyMany(
      bob,
      acks.map((c) => byCount.get(c) as string),
    )
    expect(new Set(again.map((o) => (o.accepted ? 'accepted' : o.code)))).toEqual(
      new Set(['count_already_accepted']),
    )

    const row = await t.database.db.paymentAccepted.findUniqueOrThrow({
      where: {
        chainId_channel_tokenId: { chainId: t.server.chainId, channel: channel.address, tokenId: '1' },
      },
    })
    const highest = bigintOf(row.highest)
    expect(highest).toBeGreaterThanOrEqual(maxAck)
    expect(row.signature).toBe(parseToken(byCount.get(highest) as string).token.signature)

    // Its runner starts the redemption (value above 1 wei), then completes it after the timeout.
    expect(await fresh.server.runner.runOnce()).toEqual({ leader: true, channels: 1 })
    let state = await t.testbed.state(channel.address)
    expect(state.expiringTokenId).toBe(1n)
    await t.testbed.advanceTime(channel.redemptionTimeout + 1n) // 61 s: past the timeout and the 30 s tolerance
    await fresh.server.runner.runOnce()
    state = await t.testbed.state(channel.address)
    expect(state.expiringTokenId).toBe(0n)

    const redeemed = await t.testbed.publicClient.getContractEvents({
      address: channel.address,
      abi: intermediaryAbi,
      eventName: 'Redeemed',
      fromBlock: 0n,
    })
    expect(redeemed).toHaveLength(1)
    const args = redeemed[0]?.args
    expect(args?.tokenId).toBe(1n)
    expect(args?.requests).toBe(highest)
    expect(args?.amount).toBe(highest * 1_000n)
    expect(args?.requests).toBeGreaterThanOrEqual(maxAck)
    expect(state.providerFunds).toBe(highest * 1_000n)
    expect(state.consumerFunds).toBe(10n ** 9n - highest * 1_000n)
  })
})
