import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'
import { errorText } from '../lib/errorText'
import type { Db } from '../lib/server/db/client'
import type { Logger } from '../lib/server/log'
import type { Sql } from './bulkWrite'

/*
 * One active indexer per database: a lease row (`indexer_lease`, migration 0007) that the
 * leader renews and standbys take over once it expired or was released, with a fencing token
 * (`epoch`, one more on every takeover) that every write of the leader checks in its own
 * transaction. Every time (renewal, expiry) is Postgres's `now()`, so hosts whose clocks
 * disagree still agree on who leads; the process clock only measures how long this process
 * went without renewing (a monotonic duration), to stop writing before another can take over.
 */

/** Who this process is, as the lease and /api/status name it. */
export type InstanceIdentity = { id: string; host: string; pid: number }

/**
 * This process's identity: `INSTANCE_ID` when set (a pod's name), else `<host>-<pid>-<random>`,
 * so two processes never share one by accident.
 * @example instanceIdentity({ host: 'h', pid: 7, random: 'ab12' }).id // 'h-7-ab12'
 */
export function instanceIdentity({
  instanceId,
  host = hostname(),
  pid = process.pid,
  random = randomBytes(3).toString('hex'),
}: {
  instanceId?: string
  host?: string
  pid?: number
  random?: string
}): InstanceIdentity {
  return { id: instanceId || `${host}-${pid}-${random}`, host, pid }
}

/**
 * The lease's length, how often the leader renews it (a third of it), and how often a standby
 * looks whether it is free (as often, at least every second: a released lease is taken soon).
 */
export function leaseTimings(leaseSeconds: number): { ttlMs: number; renewMs: number; pollMs: number } {
  const ttlMs = Math.round(leaseSeconds * 1000)
  const renewMs = Math.max(50, Math.round(ttlMs / 3))
  return { ttlMs, renewMs, pollMs: Math.min(renewMs, 1_000) }
}

/**
 * Whether a leader must step down: when the database said the lease names another (`lost`),
 * or when it has gone a whole lease without a renewal it saw succeed (a standby may hold it
 * by now; the fence would refuse its writes anyway, this stops it trying). Null: keep leading.
 */
export function stepDownReason({
  renewal,
  sinceRenewedMs,
  ttlMs,
  lastError,
}: {
  renewal: 'renewed' | 'lost' | 'failed'
  sinceRenewedMs: number
  ttlMs: number
  lastError?: string
}): string | null {
  if (renewal === 'lost') return 'another instance holds the lease now'
  if (sinceRenewedMs < ttlMs) return null
  const why = lastError ? ` (${lastError})` : ''
  return `it could not renew the lease for ${(sinceRenewedMs / 1000).toFixed(1)} s${why}`
}

/** A write refused because this instance no longer holds the lease with its epoch. */
export class LeaseLostError extends Error {
  readonly retryable = false
  constructor(epoch: bigint) {
    super(`this instance no longer holds the indexer lease (epoch ${epoch}); the write was rolled back`)
  }
}

/** What the leader runs in each of its write transactions (indexer/store.ts). */
export type WriteGuard = {
  /**
   * Run first: a transaction left idle longer than the lease (its process paused, or cut off
   * from the database) is ended by Postgres, so its locks do not hold up the next leader.
   */
  begin(sql: Sql): Promise<void>
  /**
   * Run last: renews the lease if this instance still holds it with its epoch, else throws
   * LeaseLostError (rolling the transaction back) and ends the term. The row lock it takes
   * keeps a takeover out until the commit.
   */
  fence(sql: Sql): Promise<void>
}

/** One time this instance leads: ends when it is lost (`signal`) or released. */
export type Term = WriteGuard & {
  epoch: bigint
  /** Aborted when this instance stops leading (lost, or could not renew). */
  signal: AbortSignal
  /** Stops renewing and hands the lease over at once (a graceful stop). */
  release(): Promise<void>
}

export type Lease = {
  instance: InstanceIdentity
  /** Stands by until this instance holds the lease; null when `signal` aborted first. */
  acquire(signal: AbortSignal): Promise<Term | null>
  /** Removes this instance's heartbeat row (a graceful stop). */
  leave(): Promise<void>
}

export type CreateLeaseParameters = {
  db: Db
  instance: InstanceIdentity
  leaseSeconds: number
  log: Logger
  /** Told when this instance starts (`true`) or stops (`false`) leading. */
  onLeading?: (leading: boolean) => void
  name?: string
}

type Row = { epoch: bigint; previous: string | null; released: boolean | null }

/** The lease on `db` for this instance (see the file's comment). */
export function createLease({
  db,
  instance,
  leaseSeconds,
  log,
  onLeading = () => {},
  name = 'indexer',
}: CreateLeaseParameters): Lease {
  const { ttlMs, renewMs, pollMs } = leaseTimings(leaseSeconds)
  const q = <T>(sql: Sql, text: string, ...values: unknown[]) => sql.$queryRawUnsafe<T[]>(text, ...values)

  /** Takes the lease when it is free, released or expired: one statement, so one winner. */
  const take = () =>
    q<Row>(
      db,
      `WITH "old" AS (SELECT "holder", "released_at" IS NOT NULL AS "released" FROM "indexer_lease" WHERE "name" = $1)
       INSERT INTO "indexer_lease" ("name","holder","host","pid","epoch","acquired_at","renewed_at","expires_at")
       VALUES ($1, $2, $3, $4, 1, now(), now(), now() + $5::int * interval '1 millisecond')
       ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "host" = EXCLUDED."host",
         "pid" = EXCLUDED."pid", "epoch" = "indexer_lease"."epoch" + 1, "acquired_at" = now(),
         "renewed_at" = now(), "released_at" = NULL, "expires_at" = EXCLUDED."expires_at"
       WHERE "indexer_lease"."expires_at" <= now()
       RETURNING "epoch", (SELECT "holder" FROM "old") AS "previous", (SELECT "released" FROM "old") AS "released"`,
      name,
      instance.id,
      instance.host,
      instance.pid,
      ttlMs,
    )

  /** Renews when this instance still holds the lease with `epoch`; false when not. */
  const renew = async (sql: Sql, epoch: bigint, clock = 'now()') =>
    (
      await q<{ epoch: bigint }>(
        sql,
        `UPDATE "indexer_lease" SET "renewed_at" = ${clock}, "expires_at" = ${clock} + $4::int * interval '1 millisecond'
         WHERE "name" = $1 AND "holder" = $2 AND "epoch" = $3 AND "released_at" IS NULL RETURNING "epoch"`,
        name,
        instance.id,
        epoch,
        ttlMs,
      )
    ).length === 1

  /** This instance's heartbeat as leader or standby; also forgets instances gone for an hour. */
  const seen = async (role: 'leader' | 'standby') => {
    await db.$executeRawUnsafe(
      `INSERT INTO "indexer_instance" ("id","host","pid","role","seen_at","expires_at")
       VALUES ($1, $2, $3, $4, now(), now() + $5::int * interval '1 millisecond')
       ON CONFLICT ("id") DO UPDATE SET "role" = EXCLUDED."role", "seen_at" = now(), "expires_at" = EXCLUDED."expires_at"`,
      instance.id,
      instance.host,
      instance.pid,
      role,
      ttlMs,
    )
    await db.$executeRawUnsafe(
      `DELETE FROM "indexer_instance" WHERE "expires_at" < now() - interval '1 hour'`,
    )
  }

  const holderOf = async () =>
    (
      await q<{ holder: string; epoch: bigint }>(
        db,
        `SELECT "holder","epoch" FROM "indexer_lease" WHERE "name" = $1`,
        name,
      )
    )[0]

  function startTerm(epoch: bigint): Term {
    const controller = new AbortController()
    let renewal: 'renewed' | 'lost' | 'failed' = 'renewed'
    let renewedAt = performance.now()
    let lastError: string | undefined
    let inFlight = false
    onLeading(true)

    const end = (reason: string | null) => {
      if (controller.signal.aborted) return
      clearInterval(timer)
      onLeading(false)
      if (reason) log.warn(`stepping down as the indexer's leader (epoch ${epoch}): ${reason}; standing by`)
      controller.abort()
    }
    // Renews every `renewMs` without waiting on a hung query: the deadline is checked each tick.
    const timer = setInterval(() => {
      const reason = stepDownReason({
        renewal,
        sinceRenewedMs: performance.now() - renewedAt,
        ttlMs,
        lastError: lastError ?? (inFlight ? 'the database has not answered' : undefined),
      })
      if (reason) return end(reason)
      if (inFlight) return
      inFlight = true
      const sent = performance.now()
      renew(db, epoch)
        .then((held) => {
          renewal = held ? 'renewed' : 'lost'
          if (held) renewedAt = Math.max(renewedAt, sent)
          lastError = undefined
          // After the renewal, not beside it: one connection of the pool at a time for the lease.
          // The row only counts instances for /api/status: its failure is not the renewal's.
          if (held) seen('leader').catch(() => {})
        })
        .catch((error) => {
          renewal = 'failed'
          lastError = errorText(error, { short: true, maxLength: 200 })
        })
        .finally(() => {
          inFlight = false
        })
    }, renewMs)

    return {
      epoch,
      signal: controller.signal,
      async begin(sql) {
        await sql.$executeRawUnsafe(`SET LOCAL idle_in_transaction_session_timeout = ${ttlMs}`)
      },
      async fence(sql) {
        // A write of a term that ended (stepped down for want of renewals) must not renew the
        // lease: no timer of that term would renew it again, and a standby would wait it out.
        if (controller.signal.aborted) throw new LeaseLostError(epoch)
        const sent = performance.now()
        // clock_timestamp(): now() inside a transaction is its start, seconds ago for a big range.
        if (await renew(sql, epoch, 'clock_timestamp()')) {
          renewedAt = Math.max(renewedAt, sent)
          renewal = 'renewed'
          return
        }
        end('another instance holds the lease now (a write was refused)')
        throw new LeaseLostError(epoch)
      },
      async release() {
        end(null)
        try {
          await db.$executeRawUnsafe(
            `UPDATE "indexer_lease" SET "released_at" = now(), "expires_at" = now() WHERE "name" = $1 AND "holder" = $2 AND "epoch" = $3`,
            name,
            instance.id,
            epoch,
          )
          log.info(`released the indexer's lease (epoch ${epoch}): a standby takes over at once`)
        } catch (error) {
          log.warn(
            `could not release the indexer's lease (${errorText(error, { short: true, maxLength: 200 })}); a standby takes over when it expires`,
          )
        }
      },
    }
  }

  return {
    instance,
    async acquire(signal) {
      let lastHolder: string | undefined
      let lastError = ''
      while (!signal.aborted) {
        try {
          const [won] = await take()
          if (won) {
            const from = won.previous
              ? `from ${won.previous}, whose lease ${won.released ? 'was released' : 'expired'}`
              : 'as the first holder'
            // Won is won: a failed heartbeat row must not leave the lease held by no term. The row
            // is written before the line, so what reads the line finds the instance as leader.
            await seen('leader').catch(() => {})
            log.info(`instance ${instance.id} took over the indexer's lease (epoch ${won.epoch}) ${from}`)
            return startTerm(BigInt(won.epoch))
          }
          await seen('standby')
          const holder = (await holderOf())?.holder
          if (holder !== lastHolder) log.info(`standing by: instance ${holder} leads the indexer`)
          lastHolder = holder
          lastError = ''
        } catch (error) {
          // Logged when it changes: a database down for minutes must not flood the log.
          const message = errorText(error, { short: true, maxLength: 300 })
          if (message !== lastError)
            log.warn(`cannot take part in the indexer's election: ${message}; retrying`)
          lastError = message
        }
        await delay(pollMs, undefined, { signal }).catch(() => {})
      }
      return null
    },
    async leave() {
      await db.$executeRawUnsafe(`DELETE FROM "indexer_instance" WHERE "id" = $1`, instance.id)
    },
  }
}

/**
 * Stands by, leads while this instance holds the lease, stands by again when it loses it,
 * until `signal` aborts: then the current term's `run` finishes its write and the lease is
 * released, so a standby takes over at once (a rolling restart loses no lease's time).
 * `run` gets a signal that aborts on either; a deposed leader's `run` is not waited for (a
 * write hung on a cut-off database ends whenever it ends: the fence refuses it).
 */
export async function leadWhileHeld({
  lease,
  signal,
  run,
}: {
  lease: Lease
  signal: AbortSignal
  run: (signal: AbortSignal, term: Term) => Promise<void>
}): Promise<void> {
  while (!signal.aborted) {
    const term = await lease.acquire(signal)
    if (!term) return
    const running = run(AbortSignal.any([signal, term.signal]), term)
    const lost = new Promise<void>((resolve) =>
      term.signal.addEventListener('abort', () => resolve(), { once: true }),
    )
    await Promise.race([running, lost])
    if (!term.signal.aborted) {
      await running
      await term.release()
    }
  }
}
