import type { z } from 'zod'
import type { ZodOpenApiResponsesObject } from 'zod-openapi'
import { isAppError } from '../../../errors'
import { bearerKey, secretEquals } from '../../http/auth'
import { type BodyOf, type Call, routeBody } from '../../http/body'
import { requestIdOf } from '../../http/callLog'
import type { Examples } from '../../http/openapi'
import { pathParams } from '../../http/params'
import { type Answer, type Handled, type ParamNames, runCall } from '../../http/route'
import { type AdminCaller, type Caller, callerOf, requireAdmin, requireService } from '../http'
import { getPaymentServer } from '../instance'
import { type Limited, serviceLimitKey } from '../rateLimit'
import type { PaymentServer } from '../server'
import type { Service } from '../services'

/**
 * Who may call a route: a service's API key, the team admin key, either, or anyone. The
 * wrapper ({@link runPaymentRoute}) checks it before the body is read, and the OpenAPI document
 * derives the route's security and its 401/403 answers from it.
 */
export type Auth = 'service' | 'admin' | 'service-or-admin' | 'none'

export type Method = 'GET' | 'POST' | 'PATCH'

/** The caller a handler receives for its route's {@link Auth}. */
export type CallerOf<A extends Auth> = A extends 'service'
  ? Service
  : A extends 'admin'
    ? AdminCaller
    : A extends 'service-or-admin'
      ? Caller
      : undefined

/** The path parameters of an OpenAPI path, parsed: `{address}` is a lowercase address. */
export type ParamsOf<P extends string> = {
  [K in ParamNames<P>]: K extends 'address' ? `0x${string}` : string
}

/** What a handler receives: the server, the authenticated caller, path parameters and body, parsed. */
export type HandlerInput<P extends string, A extends Auth, S> = {
  server: PaymentServer
  caller: CallerOf<A>
  params: ParamsOf<P>
  body: BodyOf<S>
}

/**
 * One route of the Payment Server (./routes): what serves it and what documents it. The
 * handler returns data (answered 200), an Answer with another status, or a Response (metrics'
 * text); it never sees HTTP, so tests call it directly.
 */
export type PaymentRoute<
  P extends string = string,
  M extends Method = Method,
  A extends Auth = Auth,
  S extends z.ZodType | undefined = z.ZodType | undefined,
> = {
  /** The route's name in logs and metrics (`route` label) and its OpenAPI operationId. */
  name: string
  method: M
  /** OpenAPI path, e.g. `/api/payment/channels/{address}`; its app/ folder has the same shape. */
  path: P
  auth: A
  /**
   * Schema of the JSON body, checked before the handler runs (400 `invalid_request`, or
   * `invalid_text` from its text() fields); without one, a body that is neither empty nor JSON
   * is refused (400 `invalid_json`).
   */
  body?: S
  /** Served by the fast path of `npm start` (./fastPath): exact path, no parameters. */
  hot?: true
  /** The call's units for the per-key rate limit (tokens issued or verified); default 1. */
  units?: (body: BodyOf<S>) => number
  /**
   * The OpenAPI operation's summary, description, answers (each with examples) and examples of
   * its request body; the auth's answers are added.
   */
  doc: {
    summary: string
    description?: string
    responses: ZodOpenApiResponsesObject
    requestExamples?: Examples
  }
  handler(input: HandlerInput<P, A, S>): Promise<Handled>
}

/** A route of the table, whatever its path, auth and body. */
// biome-ignore lint/suspicious/noExplicitAny: the table holds routes of every body type; runPaymentRoute parses each by its own schema.
export type AnyPaymentRoute = PaymentRoute<string, Method, Auth, any>

/** Declares a route, keeping its path and method as literal types (for paymentHandlers()). */
export const definePaymentRoute = <
  const P extends string,
  const M extends Method,
  const A extends Auth,
  S extends z.ZodType | undefined = undefined,
>(
  route: PaymentRoute<P, M, A, S>,
): PaymentRoute<P, M, A, S> => route

/** Path parameters of a route without any (the fast path's): shared, so a call allocates none. */
export const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({})

/**
 * Runs one call of a route of the table on the Payment Server `getServer` gives (default: this
 * process's, built on first use), in this order: the client address's rate limits (../rateLimit),
 * the caller for the route's auth, a slot among the key's calls in progress (waiting its turn),
 * the body read and checked (against the route's schema; without one, only that it is empty or
 * JSON) and its units of the key's rate, the path parameters (pathParams: text, `{address}` an
 * address), and the handler; so a refused key is answered before a bad body, and a flooding
 * key's calls wait before their bodies are read. Answers an AppError as
 * `{ error: { code, message } }` with its status and anything else as a 500 without internals
 * (runCall), and times the call by route name. The Next.js route handlers and the fast path
 * both serve through it. Auth, body and handler run in runCall's own step rather than a
 * wrapper of their own: with the fast path's one object per call, a verify call allocates
 * about 250 bytes less than before the table (9.5 against 9.8 KB, stubbed server). The call's
 * lines carry `requestId` (requestIdOf), which the caller answers in `X-Request-Id`; passed
 * as a value rather than through AsyncLocalStorage, which would cost every verify call.
 */
export async function runPaymentRoute(
  route: AnyPaymentRoute,
  call: Call,
  rawParams: Readonly<Record<string, string>>,
  getServer: () => Promise<PaymentServer> = getPaymentServer,
  requestId: string = requestIdOf(call.headers),
): Promise<Response | Answer> {
  const started = performance.now()
  let server: PaymentServer | undefined
  let key: string | undefined
  const result = await runCall(
    'payment',
    route.name,
    async () => {
      const on = await getServer()
      server = on
      const address = call.clientAddress ?? 'unknown'
      const limits = on.rateLimits
      refuseIfLimited(on, limits.admit(address))
      if (route.auth !== 'none')
        refuseIfLimited(
          on,
          limits.admitKey(address, () => knownKey(call, on)),
        )
      let caller: Awaited<ReturnType<typeof authorize>>
      try {
        caller = await authorize(route.auth, call, on)
      } catch (error) {
        if (isAppError(error) && error.status === 401) limits.authFailed(address)
        throw error
      }
      key = limitKey(caller)
      // A slot first (waiting its turn behind the key's other calls), then the body and its units.
      if (key !== undefined) {
        refuseIfLimited(on, limits.admitRefusals(key))
        const slot = limits.acquire(key)
        refuseIfLimited(on, slot instanceof Promise ? await slot : slot)
      }
      try {
        const body = await routeBody(call, route.body)
        if (key !== undefined) refuseIfLimited(on, limits.take(key, route.units?.(body) ?? 1))
        return await route.handler({ server: on, caller, params: pathParams(rawParams), body })
      } finally {
        if (key !== undefined) limits.release(key)
      }
    },
    requestId,
    started,
  )
  if (!server) return result
  server.metrics.requestSeconds.observe(
    { route: route.name, status: String(result.status) },
    (performance.now() - started) / 1000,
  )
  if (result.status === 429) await server.rateLimits.hold()
  else if (key !== undefined && result.status >= 400 && result.status < 500) server.rateLimits.refused(key)
  return result
}

/** Throws a limit's refusal (429 with `Retry-After`), counted by limit. */
function refuseIfLimited(server: PaymentServer, limited: Limited | null): void {
  if (!limited) return
  server.metrics.rateLimited.inc({ limit: limited.limit })
  throw limited.error
}

/** Whether the call's key is the admin key or one that authenticated a service lately (no statement). */
function knownKey(call: Call, server: PaymentServer): boolean {
  const key = bearerKey(call)
  if (!key) return false
  return (
    (server.settings.adminKey !== undefined && secretEquals(key, server.settings.adminKey)) ||
    server.services.isKnownKey(key)
  )
}

/** Whose rate a call counts against: the service's, or the admin key's; none without a key. */
function limitKey(caller: Caller | Service | AdminCaller | undefined): string | undefined {
  if (!caller) return undefined
  if ('kind' in caller) return caller.kind === 'admin' ? 'admin' : serviceLimitKey(caller.service.id)
  return serviceLimitKey(caller.id)
}

function authorize(auth: Auth, call: Call, server: PaymentServer) {
  switch (auth) {
    case 'service':
      return requireService(call, server)
    case 'admin':
      return requireAdmin(call, server)
    case 'service-or-admin':
      return callerOf(call, server)
    case 'none':
      return undefined
  }
}
