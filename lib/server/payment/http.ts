import { isAddress } from 'viem'
import type { z } from 'zod'
import {
  AppError,
  BadRequestError,
  errorBody,
  ForbiddenError,
  isAppError,
  UnauthorizedError,
} from '../../errors'
import { errorText } from '../../errorText'
import { getPaymentServer } from './instance'
import { secretEquals } from './secrets'
import type { PaymentServer } from './server'
import type { Service } from './services'

/** Largest request body the Payment Server reads. */
export const MAX_BODY_BYTES = 64 * 1024

const noStore = { 'cache-control': 'no-store' }

export type Caller = { kind: 'admin' } | { kind: 'service'; service: Service }

export type RouteContext<P> = { request: Request; server: PaymentServer; params: P }

/** The headers of a call: a web Request's, or Node's on the fast path (./fastPath). */
export type HeaderSource = { get(name: string): string | null }

/**
 * A call as the token routes read it, whichever server received it: its headers, and its body
 * read at most once, limited to MAX_BODY_BYTES (413 `body_too_large` beyond).
 */
export type PaymentCall = { headers: HeaderSource; readBody(): Promise<string> }

/** A web Request as a {@link PaymentCall}. */
export function callOf(request: Request): PaymentCall {
  return { headers: request.headers, readBody: () => readLimited(request) }
}

/** A JSON answer with its status, for handlers that answer more than 200 without a web Response. */
export class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/** What a handler returns: a Response, an {@link Answer}, or an object answered as JSON with 200. */
export type Handled = Response | Answer | object

/**
 * Runs one Payment Server call on this process's server: builds it on first use, times the
 * call, turns an AppError into `{ error: { code, message } }` with its status, and never lets
 * an internal error's text out. Shared by the Next.js route handlers and the fast path.
 * `getServer` gives another server (tests); default: this process's.
 */
export async function runPaymentCall(
  name: string,
  handler: (server: PaymentServer) => Promise<Handled>,
  getServer: () => Promise<PaymentServer> = getPaymentServer,
): Promise<Response | Answer> {
  const started = performance.now()
  let result: Response | Answer
  let server: PaymentServer | undefined
  try {
    server = await getServer()
    const handled = await handler(server)
    result = handled instanceof Response || handled instanceof Answer ? handled : new Answer(200, handled)
  } catch (error) {
    const { status, body } = errorBody(error)
    // One line, without URLs (an RPC or database URL may carry credentials).
    if (!isAppError(error))
      console.error(`[payment] ${name} failed: ${errorText(error, { withName: true, hideUrls: true })}`)
    result = new Answer(status, body)
  }
  server?.metrics.requestSeconds.observe(
    { route: name, status: String(result.status) },
    (performance.now() - started) / 1000,
  )
  return result
}

/**
 * Wraps a Payment Server route handler with {@link runPaymentCall}. Returned objects become
 * JSON with status 200 and `cache-control: no-store`.
 */
export function paymentRoute<P = Record<string, never>>(
  name: string,
  handler: (ctx: RouteContext<P>) => Promise<Handled>,
) {
  return async (request: Request, context?: { params: Promise<P> }): Promise<Response> => {
    const result = await runPaymentCall(name, async (server) => {
      const params = (context ? await context.params : {}) as P
      return handler({ request, server, params })
    })
    return result instanceof Response
      ? result
      : Response.json(result.body, { status: result.status, headers: noStore })
  }
}

/** The key of an `Authorization: Bearer <key>` header (16 to 200 characters), or null. */
export function bearerKey(request: { headers: HeaderSource }): string | null {
  return /^Bearer\s+(\S{16,200})$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? null
}

/** The caller of a request from its `Authorization: Bearer <key>` header (admin or a service). */
export async function callerOf(request: { headers: HeaderSource }, server: PaymentServer): Promise<Caller> {
  const key = bearerKey(request)
  if (!key) {
    throw new UnauthorizedError({
      code: 'unauthorized',
      message: 'Send the API key of your service as "Authorization: Bearer <key>".',
    })
  }
  if (server.settings.adminKey && secretEquals(key, server.settings.adminKey)) return { kind: 'admin' }
  const service = await server.services.authenticate(key)
  if (!service) throw new UnauthorizedError({ code: 'unauthorized', message: 'The API key is not valid.' })
  return { kind: 'service', service }
}

export async function requireService(
  request: { headers: HeaderSource },
  server: PaymentServer,
): Promise<Service> {
  const caller = await callerOf(request, server)
  if (caller.kind !== 'service') {
    throw new ForbiddenError({
      code: 'forbidden',
      message: "This call acts for a service: use the service's API key.",
    })
  }
  return caller.service
}

export async function requireAdmin(request: { headers: HeaderSource }, server: PaymentServer): Promise<void> {
  const caller = await callerOf(request, server)
  if (caller.kind !== 'admin') {
    throw new ForbiddenError({
      code: 'forbidden',
      message: 'Only the team admin key (PAYMENT_ADMIN_KEY) may do this.',
    })
  }
}

/** Reads a JSON body of at most MAX_BODY_BYTES and checks it against `schema` (400/413 otherwise). */
export async function jsonBody<S extends z.ZodType>(
  request: Request | PaymentCall,
  schema: S,
): Promise<z.output<S>> {
  const text = await ('readBody' in request ? request.readBody() : readLimited(request))
  let value: unknown
  try {
    value = text === '' ? {} : JSON.parse(text)
  } catch {
    throw new BadRequestError({ code: 'invalid_json', message: 'The request body is not valid JSON.' })
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    throw new BadRequestError({
      code: 'invalid_request',
      message: `The request body is not valid: ${issues.join('; ')}.`,
    })
  }
  return parsed.data
}

async function readLimited(request: Request): Promise<string> {
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) throw tooLarge()
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export const tooLarge = () =>
  new AppError({
    code: 'body_too_large',
    message: `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
    status: 413,
  })

/** A path parameter that must be an address (400 otherwise), lowercased. */
export function addressParam(value: string): `0x${string}` {
  if (!isAddress(value, { strict: false })) {
    throw new BadRequestError({
      code: 'invalid_address',
      message: `${value.slice(0, 60)} is not a 20-byte hex address.`,
    })
  }
  return value.toLowerCase() as `0x${string}`
}
