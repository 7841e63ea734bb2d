import { RateLimitedError } from '../../errors'

/** A token bucket's refill rate (units per second) and size. */
export type BucketSettings = { perSecond: number; burst: number }

/**
 * The Payment Server's limits (env `PAYMENT_RATE_*`, see README). A call's units are the
 * tokens it issues or verifies (at least one); calls are counted per API key and per client
 * address, failed authentications per client address, and a key's calls in progress at once
 * are bounded, so that one caller's flood queues no more work than that.
 */
export type RateLimitSettings = {
  /** Units per API key. */
  key: BucketSettings
  /** Units per client address, whatever the key. */
  address: BucketSettings
  /** Calls with a missing or unknown API key, per client address. */
  authFailures: BucketSettings
  /**
   * Look-ups of channels this process does not hold yet (a statement and a node call each),
   * per API key: a provider meets a new channel once per consumer, junk tokens meet one each.
   */
  lookups: BucketSettings
  /**
   * Calls of one API key in progress at once (0: unbounded); more wait for a slot, in order,
   * before their body is read, so that one key's flood never has more than this many calls
   * in the server's hands and other keys' calls do not queue behind it...
   */
  inFlightPerKey: number
  /** ...and at most this many wait (beyond: 429). */
  queuedPerKey: number
  /**
   * Calls of one API key refused (answered 4xx other than 429: malformed, foreign, replayed or
   * unfunded tokens); past its burst the key's calls get 429 before their body is read, so a
   * key whose calls are mostly junk costs the server no more than this many answers a second.
   */
  refusals: BucketSettings
  /**
   * Milliseconds a 429 of these limits is held before it is sent (0: at once): a client that
   * sends its next call when answered (a flood's closed loop) then sends one call a connection
   * per hold rather than as many as the server can refuse...
   */
  holdMs: number
  /** ...and at most this many are held at once (beyond, they are sent at once). */
  maxHeld: number
  /** Most keys and addresses tracked at once; idle ones are forgotten first. */
  maxTracked: number
}

/** Most keys and addresses each kind of limit tracks at once. */
const MAX_TRACKED = 100_000
/** Most 429 answers held at once (an open socket and a timer each). */
const MAX_HELD = 10_000

type Bucket = { units: number; at: number }

/**
 * Token buckets by key: each holds up to `burst` units and refills at `perSecond`. Buckets
 * are kept in a Map in order of last use (a take moves its bucket to the end), so when more
 * than `maxTracked` are held the least recently used go first; a bucket forgotten that way was
 * idle, and would have been full again, unless a flood of fresh keys evicts it early, which
 * gives its owner a fresh (full) bucket: never a refusal it did not earn.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    private readonly settings: BucketSettings,
    private readonly maxTracked: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /**
   * Takes `units` from `key`'s bucket: 0 when it had them, else the seconds until it will
   * (nothing is taken then). A call larger than the burst is measured against a full bucket.
   */
  take(key: string, units = 1): number {
    const { perSecond, burst } = this.settings
    if (perSecond === Number.POSITIVE_INFINITY) return 0
    const now = this.now()
    const bucket = this.buckets.get(key)
    let available = burst
    if (bucket) {
      available = Math.min(burst, bucket.units + ((now - bucket.at) / 1000) * perSecond)
      this.buckets.delete(key)
    } else if (this.buckets.size >= this.maxTracked) {
      this.buckets.delete(this.buckets.keys().next().value as string)
    }
    const cost = Math.min(units, burst)
    if (available < cost) {
      this.buckets.set(key, { units: available, at: now })
      return Math.max(1, Math.ceil((cost - available) / perSecond))
    }
    this.buckets.set(key, { units: available - cost, at: now })
    return 0
  }

  /** Whether `key`'s bucket is empty now (nothing is taken). */
  isEmpty(key: string): boolean {
    if (this.settings.perSecond === Number.POSITIVE_INFINITY) return false
    const bucket = this.buckets.get(key)
    if (!bucket) return false
    return bucket.units + ((this.now() - bucket.at) / 1000) * this.settings.perSecond < 1
  }

  get size(): number {
    return this.buckets.size
  }
}

/** A bucket of `perSecond` units per second holding `times` seconds' worth; 0 turns it off. */
const bucket = (perSecond: number, times: number): BucketSettings =>
  perSecond === 0
    ? { perSecond: Number.POSITIVE_INFINITY, burst: Number.POSITIVE_INFINITY }
    : { perSecond, burst: perSecond * times }

/** The limits the environment sets (README, "Configuration"). */
export function rateLimitsOf(e: {
  PAYMENT_RATE_PER_KEY: number
  PAYMENT_RATE_PER_ADDRESS: number
  PAYMENT_AUTH_FAILURES_PER_ADDRESS: number
  PAYMENT_CHANNEL_LOOKUPS_PER_KEY: number
  PAYMENT_MAX_IN_FLIGHT_PER_KEY: number
  PAYMENT_REFUSALS_PER_KEY: number
  PAYMENT_RATE_LIMITED_HOLD_MS: number
}): RateLimitSettings {
  return {
    key: bucket(e.PAYMENT_RATE_PER_KEY, 2),
    address: bucket(e.PAYMENT_RATE_PER_ADDRESS, 2),
    authFailures: bucket(e.PAYMENT_AUTH_FAILURES_PER_ADDRESS, 10),
    lookups: bucket(e.PAYMENT_CHANNEL_LOOKUPS_PER_KEY, 10),
    inFlightPerKey: e.PAYMENT_MAX_IN_FLIGHT_PER_KEY,
    queuedPerKey: e.PAYMENT_MAX_IN_FLIGHT_PER_KEY * 32,
    refusals: bucket(e.PAYMENT_REFUSALS_PER_KEY, 2),
    holdMs: e.PAYMENT_RATE_LIMITED_HOLD_MS,
    maxHeld: MAX_HELD,
    maxTracked: MAX_TRACKED,
  }
}

/**
 * Generous defaults, the environment's (lib/server/env.ts): above what one service's client
 * library sends on a busy 2-core machine (about 5,000 tokens per second), so that only floods
 * meet them.
 */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = rateLimitsOf({
  PAYMENT_RATE_PER_KEY: 20_000,
  PAYMENT_RATE_PER_ADDRESS: 40_000,
  PAYMENT_AUTH_FAILURES_PER_ADDRESS: 20,
  PAYMENT_CHANNEL_LOOKUPS_PER_KEY: 20,
  PAYMENT_MAX_IN_FLIGHT_PER_KEY: 32,
  PAYMENT_REFUSALS_PER_KEY: 1_000,
  PAYMENT_RATE_LIMITED_HOLD_MS: 1_000,
})

/** The rate-limit key of a service's calls (its API key's). */
export const serviceLimitKey = (serviceId: number) => `service:${serviceId}`

/** A refusal of the limits: which one, for the metrics, and the error to answer. */
export type Limited = {
  limit: 'key' | 'address' | 'auth_failures' | 'lookups' | 'in_flight' | 'refusals'
  error: RateLimitedError
}

/**
 * The limits of one Payment Server process. Every instance counts on its own: behind a load
 * balancer over N instances a caller gets up to N times the limits, which stay a bound on the
 * work one caller makes each process do.
 */
export function createRateLimits(settings: RateLimitSettings, now?: () => number) {
  const keys = new TokenBuckets(settings.key, settings.maxTracked, now)
  const addresses = new TokenBuckets(settings.address, settings.maxTracked, now)
  const authFailures = new TokenBuckets(settings.authFailures, settings.maxTracked, now)
  const lookups = new TokenBuckets(settings.lookups, settings.maxTracked, now)
  const refusals = new TokenBuckets(settings.refusals, settings.maxTracked, now)
  let held = 0
  /** Each key's calls in progress and those waiting for a slot (only keys with a call in progress). */
  const slots = new Map<string, { running: number; waiting: (() => void)[] }>()
  const limited = (limit: Limited['limit'], message: string, retryAfterSeconds: number): Limited => ({
    limit,
    error: new RateLimitedError({ code: 'rate_limited', message, retryAfterSeconds }),
  })

  return {
    /** Before authentication: the client address's calls per second. */
    admit(address: string): Limited | null {
      const wait = addresses.take(address)
      return wait === 0
        ? null
        : limited(
            'address',
            `Calls from ${address} exceed ${settings.address.perSecond} per second; slow down.`,
            wait,
          )
    },

    /**
     * Before a key is looked up: refused when `address` has sent too many missing or unknown
     * keys lately, unless the key is one known to be valid (`known`, checked only then), so
     * that neither a stranger's made-up keys cost a statement each nor a stranger behind the
     * same address (a proxy, a NAT) locks out the services there.
     */
    admitKey(address: string, known: () => boolean): Limited | null {
      if (!authFailures.isEmpty(address) || known()) return null
      return limited(
        'auth_failures',
        `Too many calls from ${address} had a missing or unknown API key; wait before trying again.`,
        Math.max(1, Math.ceil(1 / settings.authFailures.perSecond)),
      )
    },

    /** A call with a missing or unknown key, from `address`. */
    authFailed(address: string): void {
      authFailures.take(address)
    },

    /** After authentication: refused while the key's calls have been refused past its burst lately. */
    admitRefusals(key: string): Limited | null {
      if (!refusals.isEmpty(key)) return null
      return limited(
        'refusals',
        `This API key's calls were refused more than ${settings.refusals.perSecond} times per second lately (malformed, foreign, replayed or unfunded tokens); wait before trying again.`,
        Math.max(1, Math.ceil(1 / settings.refusals.perSecond)),
      )
    },

    /** A call of `key` answered with a refusal (4xx other than 429). */
    refused(key: string): void {
      refusals.take(key)
    },

    /**
     * Resolves when a 429 of these limits may be sent: after `holdMs`, or at once (null) when
     * holding is off or `maxHeld` answers are held already.
     */
    hold(): Promise<void> | null {
      if (settings.holdMs === 0 || held >= settings.maxHeld) return null
      held += 1
      return new Promise((resolve) =>
        setTimeout(() => {
          held -= 1
          resolve()
        }, settings.holdMs),
      )
    },

    /**
     * After authentication, before the body is read: one of the key's slots for calls in
     * progress. Null when it got one at once; a promise of null once it got one after
     * waiting its turn; a refusal when too many already wait. Give it back with {@link release}.
     */
    acquire(key: string): Limited | null | Promise<Limited | null> {
      const max = settings.inFlightPerKey
      if (max === 0) return null
      const slot = slots.get(key) ?? { running: 0, waiting: [] }
      if (slot.running < max) {
        slot.running += 1
        slots.set(key, slot)
        return null
      }
      if (slot.waiting.length >= settings.queuedPerKey)
        return limited(
          'in_flight',
          `This API key already has ${slot.running} calls in progress and ${slot.waiting.length} waiting; wait for their answers.`,
          1,
        )
      return new Promise((resolve) => slot.waiting.push(() => resolve(null)))
    },

    /** After the body is read: `units` of the key's rate (tokens issued or verified). */
    take(key: string, units: number): Limited | null {
      const wait = keys.take(key, units)
      return wait === 0
        ? null
        : limited(
            'key',
            `This API key's calls exceed ${settings.key.perSecond} tokens per second; slow down.`,
            wait,
          )
    },

    /**
     * One look-up of a channel this process does not hold, for `key`: 0 when allowed, else the
     * seconds until it will be (the token is refused meanwhile; the others of its call go on).
     */
    lookup(key: string): number {
      return lookups.take(key)
    },

    /** Ends a call that {@link acquire} gave a slot: the next waiting call of the key takes it. */
    release(key: string): void {
      const slot = slots.get(key)
      if (!slot) return
      const next = slot.waiting.shift()
      if (next) next()
      else if (--slot.running === 0) slots.delete(key)
    },
  }
}

export type RateLimits = ReturnType<typeof createRateLimits>
