import type { PaymentServerHealth } from './circuitBreaker'
import { type Coalescer, createCoalescer, MAX_BATCH_SIZE } from './coalesce'
import { createDemandMeter, type DemandMeter } from './demand'
import {
  createPaymentHttp,
  errorFromAnswer,
  type InFlightParameters,
  isRecord,
  maxInFlightOf,
  PaymentError,
  type PaymentHttp,
  type PaymentHttpParameters,
  unavailable,
} from './http'
import { TOKEN_HEADER } from './token'
import { CATEGORY_HEADER, isTokenV2Wire, parseTokenV2 } from './tokenV2'
import { traceFetch } from './tracing'

/** Default most tokens kept ahead per provider. */
export const DEFAULT_PREFETCH = 32
/** Tokens kept ahead cover about this much of a provider's recent demand. */
const SPARE_HORIZON_MS = 50
/**
 * A token kept longer than this is dropped. A redemption keeps the old token ID acceptable for
 * the Payment Server's tolerance window (30 s by default), so a kept token is not refused for its age.
 */
export const SPARE_TTL_MS = 2_000
/** After a call for tokens ahead failed, the next one waits this long. */
const REFILL_PAUSE_MS = 1_000

export type PaymentConsumerParameters = PaymentHttpParameters &
  InFlightParameters & {
    /**
     * Most tokens kept ahead per provider (0..999, default {@link DEFAULT_PREFETCH}; 0: none).
     * The library keeps about 50 ms of a provider's demand, so a service sending fewer than 20
     * requests per second to a provider keeps none. A kept token is paid once a higher count is
     * redeemed, so tokens dropped unused (after {@link SPARE_TTL_MS}, or when the process ends)
     * are paid for nothing: at most this many per provider each time the traffic stops.
     */
    prefetch?: number
  }

/** What a paid request is (version 2 channels: categories with a price each). */
export type PaymentOptions = {
  /** The request category (index or name) on a version 2 channel; default the first. */
  category?: number | string
  /**
   * Exact transitive tracing (thesis 3.4): the request is made on behalf of this consumer of
   * the caller (a service name of the Payment Server or an address), and is paid in the
   * channel's category whose origin it is. Not with `category`. A channel without such a
   * category refuses: a PaymentError `category_unknown` (no request sent).
   */
  origin?: string
  /**
   * The most this request may cost (wei), checked against the price of its category in the
   * token ID's price table: sent to the Payment Server, which refuses (402 `price_above_max`)
   * before taking any count, and checked again on each token (a kept one may predate a change).
   * A higher price throws a PaymentError `price_above_max` (no request sent).
   */
  maxPrice?: bigint
}

export type PaymentConsumer = {
  /** A fresh `payment-token` header value for one request to `provider` (name or 0x address). */
  token: (provider: string, options?: PaymentOptions) => Promise<string>
  /** `fetch(input, init)` with a fresh token for `provider` in the `payment-token` header. */
  fetch: (
    provider: string,
    input: RequestInfo | URL,
    init?: RequestInit & PaymentOptions,
  ) => Promise<Response>
  /** Tokens kept ahead for `provider` now (dropped ones excluded). */
  kept: (provider: string) => number
  /** The Payment Server's circuit breaker as this consumer sees it (see README, Resilience). */
  health: () => PaymentServerHealth
}

type Spare = { token: string; until: number }

/** One provider's tokens: the calls (`true`: a request waiting for a token, `false`: a refill). */
type Issuer = {
  /** The category asked for (version 2 channels), and its index in the answers' price table. */
  category?: number | string
  /** The origin consumer asked for instead (its category's index comes with the answer). */
  origin?: string
  /** The request's maxPrice, sent with every call (refills too) so the server refuses before taking counts. */
  maxPrice?: bigint
  index: number
  queue: Coalescer<boolean, string | null>
  spare: Spare[]
  demand: DemandMeter
  refillAfter: number
}

/**
 * The consumer side: gets one token per request from the Payment Server and sends it along.
 * Calls for the same provider coalesce: while `maxInFlight` calls of `POST /api/payment/tokens`
 * are in flight, the next requests queue, and the following call asks for as many tokens as
 * there are waiters. A busy service also keeps a few tokens ahead (`prefetch`), so that most of
 * its requests need no call at all; a refill starts when half of them are used.
 * A provider's 402 is returned as is; a Payment Server error throws a {@link PaymentError}.
 *
 * @example
 * const consumer = createPaymentConsumer({ serverUrl: 'http://127.0.0.1:3000', apiKey: process.env.PAYMENT_API_KEY! })
 * const response = await consumer.fetch('billing', 'http://billing.internal/invoices', { method: 'POST', body })
 */
export function createPaymentConsumer({
  prefetch = DEFAULT_PREFETCH,
  maxInFlight,
  ...http
}: PaymentConsumerParameters): PaymentConsumer {
  if (!Number.isSafeInteger(prefetch) || prefetch < 0 || prefetch >= MAX_BATCH_SIZE) {
    throw new RangeError(`prefetch must be an integer from 0 to ${MAX_BATCH_SIZE - 1}, got ${prefetch}`)
  }
  const inFlight = maxInFlightOf(maxInFlight)
  const client = createPaymentHttp(http)
  const fetchService = http.fetch ?? globalThis.fetch
  const issuers = new Map<string, Issuer>()

  /** How many tokens to keep ahead of this provider's demand now. */
  const targetOf = (issuer: Issuer) =>
    Math.min(prefetch, Math.floor((issuer.demand.perSecond() * SPARE_HORIZON_MS) / 1000))

  const issuerOf = (provider: string, { category, origin, maxPrice }: PaymentOptions): Issuer => {
    const key = providerKey(provider)
    if (category !== undefined && origin !== undefined)
      throw new TypeError('give category or origin, not both: origin names the category that traces it')
    // One queue per category (or origin) and maxPrice: a call's tokens are all bought within its maxPrice.
    const name = `${key}${category === undefined ? '' : `#${category}`}${origin === undefined ? '' : `@${origin.toLowerCase()}`}${maxPrice === undefined ? '' : `<=${maxPrice}`}`
    const known = issuers.get(name)
    if (known) return known
    const issuer: Issuer = {
      category,
      origin,
      maxPrice,
      index: typeof category === 'number' ? category : 0,
      spare: [],
      demand: createDemandMeter(),
      refillAfter: 0,
      queue: createCoalescer<boolean, string | null>({
        run: (items) => issueTokens({ client, provider: key, items, issuer, target: targetOf }),
        maxInFlight: inFlight,
      }),
    }
    issuers.set(name, issuer)
    return issuer
  }

  /** Starts a call for tokens ahead when half of the target is used and no call is in flight. */
  const refill = (issuer: Issuer) => {
    if (issuer.queue.busy || Date.now() < issuer.refillAfter) return
    const target = targetOf(issuer)
    if (target === 0 || issuer.spare.length * 2 > target) return
    // A failed refill pauses the next ones (requestForWaiters); nobody waits for this one.
    issuer.queue.submit(false).catch(() => {})
  }

  /** A token and the issuer it came from (whose `index` is its category's). */
  const issue = async (provider: string, options: PaymentOptions = {}) => {
    const issuer = issuerOf(provider, options)
    issuer.demand.add(1)
    const [kept] = takeSpares(issuer, 1)
    if (kept) {
      refill(issuer)
      return { value: checkPrice(kept.token, issuer, options.maxPrice), issuer }
    }
    return {
      value: checkPrice((await issuer.queue.submit(true)) as string, issuer, options.maxPrice),
      issuer,
    }
  }

  return {
    token: async (provider, options) => (await issue(provider, options)).value,
    // The call, its token included, is a CLIENT span whose context the provider gets in traceparent.
    fetch: (provider, input, { category, origin, maxPrice, ...init } = {}) =>
      traceFetch(provider, async ({ onToken, inject }) => {
        const { value, issuer } = await issue(provider, { category, origin, maxPrice })
        onToken(value)
        // Same rule as fetch: init.headers, when given, replaces the Request's own headers.
        const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined))
        headers.set(TOKEN_HEADER, value)
        // A v2 token's category, for a provider route that serves any category (`category: '*'`).
        if (isTokenV2Wire(value)) headers.set(CATEGORY_HEADER, String(issuer.index))
        inject(headers)
        return fetchService(input, { ...init, headers })
      }),
    health: client.health,
    kept: (provider) => {
      const issuer = issuers.get(providerKey(provider))
      if (!issuer) return 0
      dropExpired(issuer)
      return issuer.spare.length
    },
  }
}

/** Provider names are kept as given; addresses are compared lowercase. */
function providerKey(provider: string): string {
  if (typeof provider !== 'string' || provider.trim().length === 0) {
    throw new TypeError('provider must be a service name or a 0x address')
  }
  const trimmed = provider.trim()
  return /^0x[0-9a-fA-F]{40}$/.test(trimmed) ? trimmed.toLowerCase() : trimmed
}

/** Drops kept tokens past their time (the oldest are first). */
function dropExpired(issuer: Issuer): void {
  const now = Date.now()
  let n = 0
  while (n < issuer.spare.length && (issuer.spare[n] as Spare).until <= now) n += 1
  if (n > 0) issuer.spare.splice(0, n)
}

/** Up to `n` kept tokens, the oldest (lowest counts) first. */
function takeSpares(issuer: Issuer, n: number): Spare[] {
  dropExpired(issuer)
  return issuer.spare.splice(0, n)
}

type IssueParameters = {
  client: PaymentHttp
  provider: string
  /** One per queued item: `true` for a request waiting for a token, `false` for a refill. */
  items: readonly boolean[]
  issuer: Issuer
  target: (issuer: Issuer) => number
}

/**
 * A token for each waiting request, kept ones first, in the items' order (`null` for a refill);
 * asks for the missing ones plus what brings the kept tokens up to the target when it calls.
 */
async function issueTokens({ client, provider, items, issuer, target }: IssueParameters) {
  const waiting = items.filter(Boolean).length
  const kept = takeSpares(issuer, waiting)
  const missing = waiting - kept.length
  const extra = Date.now() < issuer.refillAfter ? 0 : Math.max(0, target(issuer) - issuer.spare.length)
  const asked = Math.min(MAX_BATCH_SIZE, missing + extra)
  let issued: string[]
  try {
    issued = asked > 0 ? await requestForWaiters({ client, provider, issuer, asked, missing }) : []
  } catch (error) {
    // The waiters fail; the kept tokens some of them had go back, unused.
    issuer.spare.unshift(...kept)
    throw error
  }
  const until = Date.now() + SPARE_TTL_MS
  issuer.spare.push(...issued.slice(missing).map((token) => ({ token, until })))
  const tokens = [...kept.map((k) => k.token), ...issued.slice(0, missing)]
  let next = 0
  return items.map((waits) => (waits ? (tokens[next++] as string) : null))
}

/**
 * `asked` tokens, of which the first `missing` are for waiting requests. Keeping tokens ahead
 * must never make a call fail that would have succeeded without it: when asking for more fails,
 * the refills pause, and only the missing ones are asked for again (after insufficient_funds).
 */
async function requestForWaiters({
  client,
  provider,
  issuer,
  asked,
  missing,
}: {
  client: PaymentHttp
  provider: string
  issuer: Issuer
  asked: number
  missing: number
}): Promise<string[]> {
  try {
    return await requestTokens(client, provider, asked, issuer)
  } catch (error) {
    if (asked === missing) throw error
    issuer.refillAfter = Date.now() + REFILL_PAUSE_MS
    if (missing === 0) return []
    if (isCode(error, 'insufficient_funds')) return requestTokens(client, provider, missing, issuer)
    throw error
  }
}

/**
 * `POST /api/payment/tokens`; the tokens in ascending order, or a thrown PaymentError. Retried
 * even when a lost answer may have taken counts (repeatable): the retry is issued the next ones,
 * and the skipped counts cost at most their price once a higher count is redeemed (./retry).
 */
async function requestTokens(
  client: PaymentHttp,
  provider: string,
  count: number,
  issuer: Issuer,
): Promise<string[]> {
  const { category, origin, maxPrice } = issuer
  const body = {
    provider,
    count,
    ...(category === undefined ? {} : { category }),
    ...(origin === undefined ? {} : { origin }),
    ...(maxPrice === undefined ? {} : { maxPrice: maxPrice.toString() }),
  }
  const answer = await client.post('tokens', body, { repeatable: true })
  if (answer.status !== 200) throw errorFromAnswer(answer)
  issuer.index = categoryIndexOf(answer.body, issuer)
  const tokens = isRecord(answer.body) ? answer.body.tokens : undefined
  if (!Array.isArray(tokens) || tokens.length !== count || !tokens.every((t) => typeof t === 'string')) {
    throw unavailable(`The Payment Server did not answer ${count} tokens for ${provider}.`)
  }
  return tokens
}

/**
 * The index of the category the answer's tokens raise: the one the server names (`category`),
 * else the one asked for (by index, or by name in `categories`). With `origin` the answer must
 * name a category tracing it (`origins`, addresses): tokens of another one would be counted
 * for another consumer, so they are not used.
 */
function categoryIndexOf(body: unknown, issuer: Issuer): number {
  const answer = isRecord(body) ? body : {}
  const { categories, origins } = answer
  const named = Number.isSafeInteger(answer.category) ? (answer.category as number) : undefined
  const { category, origin } = issuer
  if (origin !== undefined) {
    const traced = Array.isArray(origins) ? origins[named ?? -1] : undefined
    const address = /^0x[0-9a-fA-F]{40}$/.test(origin) ? origin.toLowerCase() : undefined
    if (named === undefined || typeof traced !== 'string' || (address && traced !== address))
      throw unavailable(`The Payment Server answered no category tracing origin ${origin}.`)
    return named
  }
  if (named !== undefined) return named
  if (typeof category === 'string' && Array.isArray(categories) && categories.includes(category))
    return categories.indexOf(category)
  return issuer.index
}

/**
 * `token`, unless its category's price (a version 2 token carries its ID's price table) is
 * above `maxPrice`: then a PaymentError `price_above_max` (the token is not used).
 */
function checkPrice(token: string, issuer: Issuer, maxPrice: bigint | undefined): string {
  if (maxPrice === undefined || !isTokenV2Wire(token)) return token
  const price = parseTokenV2(token).token.prices[issuer.index]
  if (price === undefined || price <= maxPrice) return token
  const name =
    issuer.origin !== undefined
      ? `the category of origin ${issuer.origin}`
      : issuer.category === undefined
        ? 'the first category'
        : `category ${issuer.category}`
  throw new PaymentError({
    code: 'price_above_max',
    status: 402,
    message: `The provider now charges ${price} wei per request of ${name}, above this request's maxPrice of ${maxPrice} wei; it was not sent.`,
    hints: ['Raise maxPrice to accept the new price, or stop using this provider.'],
  })
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof PaymentError && error.code === code
}
