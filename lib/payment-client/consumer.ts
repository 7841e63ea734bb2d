import { type Coalescer, createCoalescer, MAX_BATCH_SIZE } from '../coalesce'
import { TOKEN_HEADER } from '../token'
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

export type PaymentConsumerParameters = PaymentHttpParameters &
  InFlightParameters & {
    /**
     * Extra tokens to ask for per issuing call and keep for later calls (0..999, default 0).
     * Off by default: a kept token is paid ahead, and lost when the process ends.
     */
    prefetch?: number
  }

export type PaymentConsumer = {
  /** A fresh `payment-token` header value for one request to `provider` (name or 0x address). */
  token: (provider: string) => Promise<string>
  /** `fetch(input, init)` with a fresh token for `provider` in the `payment-token` header. */
  fetch: (provider: string, input: RequestInfo | URL, init?: RequestInit) => Promise<Response>
}

type Issuer = { queue: Coalescer<undefined, string>; spare: string[] }

/**
 * The consumer side: gets one token per request from the Payment Server and sends it along.
 * Calls for the same provider coalesce: while `maxInFlight` calls of `POST /api/payment/tokens`
 * are in flight, the next requests queue, and the following call asks for as many tokens as
 * there are waiters.
 * A provider's 402 is returned as is; a Payment Server error throws a {@link PaymentError}.
 *
 * @example
 * const consumer = createPaymentConsumer({ serverUrl: 'http://127.0.0.1:3000', apiKey: process.env.PAYMENT_API_KEY! })
 * const response = await consumer.fetch('billing', 'http://billing.internal/invoices', { method: 'POST', body })
 */
export function createPaymentConsumer({
  prefetch = 0,
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

  const issuerOf = (provider: string): Issuer => {
    const key = providerKey(provider)
    let issuer = issuers.get(key)
    if (!issuer) {
      const spare: string[] = []
      const queue = createCoalescer<undefined, string>({
        run: (waiters) => issueTokens({ client, provider: key, count: waiters.length, prefetch, spare }),
        maxInFlight: inFlight,
      })
      issuer = { queue, spare }
      issuers.set(key, issuer)
    }
    return issuer
  }

  const token = async (provider: string): Promise<string> => issuerOf(provider).queue.submit(undefined)

  return {
    token,
    fetch: async (provider, input, init) => {
      const value = await token(provider)
      // Same rule as fetch: init.headers, when given, replaces the Request's own headers.
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
      headers.set(TOKEN_HEADER, value)
      return fetchService(input, { ...init, headers })
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

type IssueParameters = {
  client: PaymentHttp
  provider: string
  count: number
  prefetch: number
  spare: string[]
}

/** `count` tokens for the waiters, kept spares first; asks for `prefetch` more when it must call. */
async function issueTokens({ client, provider, count, prefetch, spare }: IssueParameters): Promise<string[]> {
  const kept = spare.splice(0, count)
  const missing = count - kept.length
  if (missing === 0) return kept
  const asked = Math.min(MAX_BATCH_SIZE, missing + prefetch)
  let tokens: string[]
  try {
    tokens = await requestTokens(client, provider, asked)
  } catch (error) {
    // Prefetching must never make a call fail that would have succeeded without it.
    if (asked === missing || !isCode(error, 'insufficient_funds')) throw error
    tokens = await requestTokens(client, provider, missing)
  }
  spare.push(...tokens.slice(missing))
  return [...kept, ...tokens.slice(0, missing)]
}

/** `POST /api/payment/tokens`; the tokens in ascending order, or a thrown PaymentError. */
async function requestTokens(client: PaymentHttp, provider: string, count: number): Promise<string[]> {
  const answer = await client.post('tokens', { provider, count })
  if (answer.status !== 200) throw errorFromAnswer(answer)
  const tokens = isRecord(answer.body) ? answer.body.tokens : undefined
  if (!Array.isArray(tokens) || tokens.length !== count || !tokens.every((t) => typeof t === 'string')) {
    throw unavailable(`The Payment Server did not answer ${count} tokens for ${provider}.`)
  }
  return tokens
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof PaymentError && error.code === code
}
