import { callOf } from '../http/body'
import { requestIdOf } from '../http/callLog'
import { responseOf } from '../http/route'
import { channelRoutes } from './api/channels'
import { opsRoutes } from './api/ops'
import { type AnyPaymentRoute, NO_PARAMS, runPaymentRoute } from './api/route'
import { serviceRoutes } from './api/services'
import { tokenRoutes } from './api/tokens'
import { getPaymentServer } from './instance'

/**
 * Every route of the Payment Server, once: name, method, path, auth, body and answers, handler,
 * and whether it is hot. The `app/api/payment/**` route files ({@link paymentHandlers}), the
 * fast path ({@link hotPaymentRoutes}) and the OpenAPI document (./openapi) are derived from it.
 */
export const paymentRoutes = [...opsRoutes, ...serviceRoutes, ...channelRoutes, ...tokenRoutes] as const

type TableRoute = (typeof paymentRoutes)[number]

/** A path of the table, e.g. `/api/payment/channels/{address}`. */
type PaymentPath = TableRoute['path']

type MethodsAt<P extends PaymentPath> = Extract<TableRoute, { path: P }>['method']

/** A Next.js route handler (app router). */
type NextHandler = (
  request: Request,
  context?: { params: Promise<Record<string, string>> },
) => Promise<Response>

/**
 * The Next.js handlers of one path of the table, one per method, each serving its route with
 * runPaymentRoute on this process's Payment Server. The route file of that path exports them.
 *
 * @example
 * // app/api/payment/channels/[address]/route.ts
 * export const { GET, PATCH } = paymentHandlers('/api/payment/channels/{address}')
 */
export function paymentHandlers<P extends PaymentPath>(path: P): { [M in MethodsAt<P>]: NextHandler } {
  const handlers: Record<string, NextHandler> = {}
  for (const route of paymentRoutes as readonly AnyPaymentRoute[]) {
    if (route.path !== path) continue
    handlers[route.method] = async (request, context) => {
      const requestId = requestIdOf(request.headers)
      const params = context ? await context.params : NO_PARAMS
      return responseOf(
        await runPaymentRoute(route, callOf(request), params, getPaymentServer, requestId),
        requestId,
      )
    }
  }
  return handlers as { [M in MethodsAt<P>]: NextHandler }
}

/**
 * The hot routes by method, then by exact path, for the fast path: a call of another method
 * costs one lookup of its method. A hot route has no path parameters (checked here, when the
 * fast path loads).
 */
export function hotPaymentRoutes(): Map<string, Map<string, AnyPaymentRoute>> {
  const hot = new Map<string, Map<string, AnyPaymentRoute>>()
  for (const route of paymentRoutes as readonly AnyPaymentRoute[]) {
    if (!route.hot) continue
    if (route.path.includes('{')) throw new Error(`Hot route ${route.name} has path parameters.`)
    const byPath = hot.get(route.method) ?? new Map<string, AnyPaymentRoute>()
    hot.set(route.method, byPath.set(route.path, route))
  }
  return hot
}
