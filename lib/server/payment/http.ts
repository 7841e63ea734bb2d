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
import { oneLine } from '../log'
import { getPaymentServer } from './instance'
import { secretEquals } from './secrets'
import type { PaymentServer } from './server'
import type { Service } from './services'

/** Largest request body the Payment Server reads. */
export const MAX_BODY_BYTES = 64 * 1024

const noStore = { 'cache-control': 'no-store' }

export type Caller = { kind: 'admin' } | { kind: 'service'; service: Service }

export type RouteContext<P> = { request: Request; server: PaymentServer; params: P }

/**
 * Wraps a Payment Server route handler: builds the server on first use, times the request,
 * turns an AppError into `{ error: { code, message } }` with its status, and never lets an
 * internal error's text out. Returned objects become JSON with status 200.
 */
export function paymentRoute<P = Record<string, never>>(
  name: string,
  handler: (ctx: RouteContext<P>) => Promise<Response | object>,
) {
  return async (request: Request, context?: { params: Promise<P> }): Promise<Response> => {
    const started = performance.now()
    let response: Response
    let server: PaymentServer | undefined
    try {
      server = await getPaymentServer()
      const params = (context ? await context.params : {}) as P
      const result = await handler({ request, server, params })
      response = result instanceof Response ? result : Response.json(result, { headers: noStore })
    } catch (error) {
      const { status, body } = errorBody(error)
      // One line, without URLs (an RPC or database URL may carry credentials).
      if (!isAppError(error)) console.error(`[payment] ${name} failed: ${oneLine(error)}`)
      response = Response.json(body, { status, headers: noStore })
    }
    server?.metrics.requestSeconds.observe(
      { route: name, status: String(response.status) },
      (performance.now() - started) / 1000,
    )
    return response
  }
}

/** The key of an `Authorization: Bearer <key>` header (16 to 200 characters), or null. */
export function bearerKey(request: Request): string | null {
  return /^Bearer\s+(\S{16,200})$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? null
}

/** The caller of a request from its `Authorization: Bearer <key>` header (admin or a service). */
export async function callerOf(request: Request, server: PaymentServer): Promise<Caller> {
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

export async function requireService(request: Request, server: PaymentServer): Promise<Service> {
  const caller = await callerOf(request, server)
  if (caller.kind !== 'service') {
    throw new ForbiddenError({
      code: 'forbidden',
      message: "This call acts for a service: use the service's API key.",
    })
  }
  return caller.service
}

export async function requireAdmin(request: Request, server: PaymentServer): Promise<void> {
  const caller = await callerOf(request, server)
  if (caller.kind !== 'admin') {
    throw new ForbiddenError({
      code: 'forbidden',
      message: 'Only the team admin key (PAYMENT_ADMIN_KEY) may do this.',
    })
  }
}

/** Reads a JSON body of at most MAX_BODY_BYTES and checks it against `schema` (400/413 otherwise). */
export async function jsonBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const declared = Number(request.headers.get('content-length') ?? 0)
  if (declared > MAX_BODY_BYTES) throw tooLarge()
  const text = await readLimited(request)
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

const tooLarge = () =>
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
