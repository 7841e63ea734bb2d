import { ForbiddenError, UnauthorizedError } from '../../errors'
import { bearerKey, type HeaderSource, secretEquals } from '../http/auth'
import type { PaymentServer } from './server'
import type { Service } from './services'

/** A call made with the team admin key. */
export type AdminCaller = { kind: 'admin' }

export type Caller = AdminCaller | { kind: 'service'; service: Service }

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

export async function requireAdmin(
  request: { headers: HeaderSource },
  server: PaymentServer,
): Promise<AdminCaller> {
  const caller = await callerOf(request, server)
  if (caller.kind !== 'admin') {
    throw new ForbiddenError({
      code: 'forbidden',
      message: 'Only the team admin key (PAYMENT_ADMIN_KEY) may do this.',
    })
  }
  return caller
}
