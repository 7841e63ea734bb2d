import { ForbiddenError, UnauthorizedError } from '../../errors'
import { bearerKey, type HeaderSource, secretEquals } from '../http/auth'
import { type Answer, type Handled, responseOf, runCall } from '../http/route'
import { getPaymentServer } from './instance'
import type { PaymentServer } from './server'
import type { Service } from './services'

export type Caller = { kind: 'admin' } | { kind: 'service'; service: Service }

export type RouteContext<P> = { request: Request; server: PaymentServer; params: P }

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
  let server: PaymentServer | undefined
  const result = await runCall('payment', name, async () => {
    server = await getServer()
    return handler(server)
  })
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
  return async (request: Request, context?: { params: Promise<P> }): Promise<Response> =>
    responseOf(
      await runPaymentCall(name, async (server) => {
        const params = (context ? await context.params : {}) as P
        return handler({ request, server, params })
      }),
    )
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
