import { AppError } from '../../../errors'
import { Answer } from '../../http/route'
import { paymentRoutes } from '../routes'
import type { PaymentServer } from '../server'
import type { Service } from '../services'
import type { AnyPaymentRoute } from './route'

/** What a Payment Server route answered: its status and JSON body (an error's `{ error: { code, message } }`). */
export type RouteAnswer = {
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: a test reads the answer's fields by path
  body: any
}

/**
 * Calls the handler of the Payment Server route named `name` as `caller`, without HTTP, and
 * gives the status and body the route would answer: 200 for plain data, an Answer's own
 * status, an AppError's status with its code and message (anything else is thrown).
 *
 * @example
 * expect(await callRoute(t.server, 'channels.get', { caller: alice, params: { address } })).toMatchObject({ status: 410 })
 */
export async function callRoute(
  server: PaymentServer,
  name: string,
  { caller, params = {}, body }: { caller: Service; params?: Record<string, string>; body?: unknown },
): Promise<RouteAnswer> {
  const route = paymentRoutes.find((r) => r.name === name) as AnyPaymentRoute | undefined
  if (!route) throw new Error(`no Payment Server route is named ${name}`)
  try {
    const answer = await route.handler({ server, caller, params, body } as never)
    return answer instanceof Answer
      ? { status: answer.status, body: answer.body }
      : { status: 200, body: answer }
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    return { status: error.status, body: { error: { code: error.code, message: error.message } } }
  }
}
