import type { Address } from 'viem'
import type { PaymentServerHealth } from './circuitBreaker'
import { createCoalescer } from './coalesce'
import {
  createPaymentHttp,
  errorFromAnswer,
  type InFlightParameters,
  isRecord,
  type JsonAnswer,
  maxInFlightOf,
  PaymentError,
  type PaymentHttpParameters,
  unavailable,
} from './http'
import { type PricedToken, type RoutePrice, routePriceOf, verifyBodyOf } from './price'
import {
  formatToken,
  isDecimalUint256,
  type ParsedToken,
  parseToken,
  TOKEN_HEADER,
  TokenFormatError,
} from './token'
import { formatTokenV2, isTokenV2Wire, parseTokenV2 } from './tokenV2'

/**
 * An accepted payment: one request on `channel`; `category` (version 2 channels): the index of
 * the category charged, whose count `requests` is; `consumer`: who paid (the channel's
 * consumer), the `origin` to name when calling another service on its behalf (thesis 3.4).
 */
export type Payment = {
  channel: Address
  tokenId: bigint
  requests: bigint
  value: bigint
  category?: number
  consumer?: Address
}

/** Refusal codes: the library's own three, then the Payment Server's (its OpenAPI document). */
export type RefusalCode =
  | 'token_missing'
  | 'token_malformed'
  | 'payment_server_unavailable'
  | 'bad_signature'
  | 'wrong_chain'
  | 'token_id_unknown'
  | 'token_expired'
  | 'channel_terminated'
  | 'channel_terminating'
  | 'insufficient_funds'
  | 'count_already_accepted'
  | 'zero_requests'
  | 'channel_unknown'
  | 'terms_rejected'
  | 'forbidden'
  | (string & {})

/** `status` is what to answer the caller: 402 for a refused token, 503 when it could not be judged. */
export type VerifyResult =
  | ({ accepted: true } & Payment)
  | { accepted: false; status: number; code: RefusalCode; message: string; cause?: unknown }

export type VerifyRefusal = Extract<VerifyResult, { accepted: false }>

/** What a route asks of a token besides its validity. */
export type VerifyOptions = {
  /**
   * The route's price, wei per request: a channel paying less is refused as `terms_rejected` by
   * the Payment Server before the count is accepted, so the consumer does not pay for it.
   */
  price?: RoutePrice
  /**
   * Version 2 channels: the request category the route charges (index or name; default the
   * first). `price` is then checked against the channel's price of that category.
   */
  category?: number | string
}

export type PaymentVerifier = {
  /**
   * Judges one `payment-token` header value; never rejects (failures give status 503), but for
   * a RangeError on a bad `price` (a mistake in the caller's code).
   */
  verify: (token: string | null | undefined, options?: VerifyOptions) => Promise<VerifyResult>
  /** The Payment Server's circuit breaker as this verifier sees it (see README, Resilience). */
  health: () => PaymentServerHealth
}

export type PaymentVerifierParameters = PaymentHttpParameters & InFlightParameters

/** Codes the server uses for its own failures: the token was not judged, so 503, not 402. */
const DEPENDENCY_CODES = new Set(['chain_unavailable', 'database_unavailable', 'timeout', 'internal_error'])

/**
 * The provider side: verifies tokens with the Payment Server (`POST /api/payment/tokens/verify`).
 * At most `maxInFlight` calls are in flight at a time; tokens arriving meanwhile go together in
 * the next call as `{ tokens: [...] }` and each gets its own result, in order. Missing or malformed tokens are
 * refused without a call; an unreachable server refuses with 503 (fail closed).
 *
 * @example
 * const verifier = createPaymentVerifier({ serverUrl: 'http://127.0.0.1:3000', apiKey })
 * const result = await verifier.verify(request.headers.get('payment-token'))
 * if (!result.accepted) return Response.json(refusalBody(result), { status: result.status })
 */
export function createPaymentVerifier({ maxInFlight, ...http }: PaymentVerifierParameters): PaymentVerifier {
  const inFlight = maxInFlightOf(maxInFlight)
  const client = createPaymentHttp(http)
  // Each token keeps its route's price through the batch (verifyBodyOf).
  const queue = createCoalescer<PricedToken & { sent: SentToken }, VerifyResult>({
    maxInFlight: inFlight,
    run: async (tokens) => {
      // Not repeatable: a lost answer may hide an acceptance (./retry says when it is retried).
      const answer = await client.post('tokens/verify', verifyBodyOf(tokens))
      const results = tokens.length === 1 ? [singleResult(answer)] : batchResults(answer, tokens.length)
      return results.map((result, i) => {
        const judged = answer.maybeRepeated ? unknownIfRepeated(result) : result
        return forToken(judged, (tokens[i] as { sent: SentToken }).sent)
      })
    },
  })
  return {
    health: client.health,
    verify: async (token, options) => {
      const price = routePriceOf(options?.price)
      const value = typeof token === 'string' ? token.trim() : ''
      if (!value) {
        return refusal('token_missing', `This service needs a payment token in the ${TOKEN_HEADER} header.`)
      }
      let sent: SentToken
      try {
        sent = sentToken(value)
      } catch (error) {
        const reason = error instanceof TokenFormatError ? error.message : 'The payment token cannot be read.'
        return refusal('token_malformed', reason)
      }
      const category = options?.category
      return queue.submit({ token: sent.wire, price, category, sent }).catch(unavailableResult)
    },
  }
}

/** The body of a refusal: `{ error: { code, message } }`, as every route of the product answers. */
export function refusalBody({ code, message }: VerifyRefusal): { error: { code: string; message: string } } {
  return { error: { code, message } }
}

/** The payment of an accepted result, without its other fields. */
export function paymentOf({ channel, tokenId, requests, value, category, consumer }: Payment): Payment {
  return {
    channel,
    tokenId,
    requests,
    value,
    ...(category === undefined ? {} : { category }),
    ...(consumer === undefined ? {} : { consumer }),
  }
}

function refusal(code: RefusalCode, message: string, status = 402): VerifyRefusal {
  return { accepted: false, status, code, message }
}

/**
 * A 503 refusal. Its message goes to the caller, so it names no URL and quotes no server message
 * (at most the server's error code); the full reason stays in `cause` for the provider's own log.
 */
export function unavailableResult(cause: unknown): VerifyRefusal {
  const answered = cause instanceof PaymentError && cause.code !== 'payment_server_unavailable'
  const message = `The Payment Server could not verify the token${answered ? ` (${cause.code})` : ''}; try again later.`
  return { ...refusal('payment_server_unavailable', message, 503), cause }
}

/**
 * A verdict of a call an earlier attempt of which may have reached the server unanswered:
 * `count_already_accepted` may then be that attempt's own acceptance, so the provider was maybe
 * paid, maybe not. It is unknown (503), never accepted: a count is never accepted twice.
 */
function unknownIfRepeated(result: VerifyResult): VerifyResult {
  if (result.accepted || result.code !== 'count_already_accepted') return result
  return unavailableResult(
    unavailable(
      'The Payment Server answered count_already_accepted to a retry whose first attempt may have been accepted unanswered: paid or not is unknown.',
    ),
  )
}

/**
 * An accepted verdict only for the token sent: its channel, token ID and count. Another's (an
 * answer out of order) would hand one request's payment to another, so it is a failure (503).
 */
/** A token as sent for verification: its normalized wire form and what a verdict on it names. */
type SentToken = { wire: string; channel: string; tokenId: bigint; requests: readonly bigint[] }

/** Reads a v1 or v2 wire token (TokenFormatError when it is neither). */
function sentToken(value: string): SentToken {
  if (isTokenV2Wire(value)) {
    const parsed = parseTokenV2(value)
    return { wire: formatTokenV2(parsed), ...parsed.token }
  }
  const parsed: ParsedToken = parseToken(value)
  return { wire: formatToken(parsed), ...parsed.token, requests: [parsed.token.requests] }
}

/** The verdict, if it is on this token (a v2 verdict names the count of the category charged). */
function forToken(result: VerifyResult, token: SentToken): VerifyResult {
  if (!result.accepted) return result
  // The count of the category charged, not any of the token's: a verdict on [3, 1] for count 3
  // of category 1 is on another token. A server that names no category: a one-category token's.
  const index = result.category ?? (token.requests.length === 1 ? 0 : undefined)
  const same =
    result.channel === token.channel.toLowerCase() &&
    result.tokenId === token.tokenId &&
    (index === undefined
      ? token.requests.includes(result.requests)
      : token.requests[index] === result.requests)
  return same
    ? result
    : unavailableResult(unavailable('The Payment Server answered a verdict on another token.'))
}

/**
 * Answer to `{ token }`: 200 accepted; 402, 403 and 410 (a channel of the chain before a reset)
 * refused; anything else is a server failure, 429 included (the token was not judged).
 */
function singleResult(answer: JsonAnswer): VerifyResult {
  if (answer.status === 200) return acceptedResult(answer.body)
  const error = errorFromAnswer(answer)
  if ([402, 403, 410].includes(answer.status) && !DEPENDENCY_CODES.has(error.code)) {
    return refusal(error.code, error.message)
  }
  throw error
}

/** Answer to `{ tokens }`: one result per token, in the order sent. */
function batchResults(answer: JsonAnswer, count: number): VerifyResult[] {
  if (answer.status !== 200) throw errorFromAnswer(answer)
  const results = isRecord(answer.body) ? answer.body.results : undefined
  if (!Array.isArray(results) || results.length !== count) {
    throw unavailable(`The Payment Server did not answer ${count} verification results.`)
  }
  return results.map(itemResult)
}

/** One result of a batch: judged as {@link singleResult} judges the same token sent alone. */
function itemResult(item: unknown): VerifyResult {
  if (isRecord(item) && item.accepted === false) {
    const error = errorFromAnswer({ status: 402, body: item })
    return DEPENDENCY_CODES.has(error.code) || error.code === 'rate_limited'
      ? unavailableResult(error)
      : refusal(error.code, error.message)
  }
  return acceptedResult(item)
}

/** `{ accepted: true, channel, tokenId, requests, value }` with decimal strings, as bigints. */
function acceptedResult(body: unknown): VerifyResult {
  if (!isRecord(body) || body.accepted !== true) throw unavailable('The Payment Server answered no verdict.')
  const { channel, tokenId, requests, value, category, consumer } = body
  const decimals = [tokenId, requests, value]
  if (
    typeof channel !== 'string' ||
    !/^0x[0-9a-fA-F]{40}$/.test(channel) ||
    !decimals.every(isDecimalUint256)
  ) {
    throw unavailable('The Payment Server answered a malformed verdict.')
  }
  return {
    accepted: true,
    channel: channel.toLowerCase() as Address,
    tokenId: BigInt(tokenId as string),
    requests: BigInt(requests as string),
    value: BigInt(value as string),
    ...(Number.isSafeInteger(category) ? { category: category as number } : {}),
    ...(typeof consumer === 'string' && /^0x[0-9a-fA-F]{40}$/.test(consumer)
      ? { consumer: consumer.toLowerCase() as Address }
      : {}),
  }
}
