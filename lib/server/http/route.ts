import type { z } from 'zod'
import { errorBody, isAppError } from '../../errors'
import { errorText } from '../../errorText'
import { type ServerContext, serverContext } from '../context'
import { jsonBody } from './body'

const noStore = { 'cache-control': 'no-store' }

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
 * Runs one call of any JSON API: the handler's result as a Response or an {@link Answer}
 * (a plain object becomes 200), an AppError as `{ error: { code, message } }` with its status,
 * anything else as a 500 without internals, logged on one line without URLs (an RPC or
 * database URL may carry credentials) under `[<api>] <name> failed`.
 */
export async function runCall(
  api: string,
  name: string,
  handler: () => Promise<Handled>,
): Promise<Response | Answer> {
  try {
    const handled = await handler()
    return handled instanceof Response || handled instanceof Answer ? handled : new Answer(200, handled)
  } catch (error) {
    const { status, body } = errorBody(error)
    if (!isAppError(error))
      console.error(`[${api}] ${name} failed: ${errorText(error, { withName: true, hideUrls: true })}`)
    return new Answer(status, body)
  }
}

/** An {@link Answer} as a web Response (JSON, `cache-control: no-store`); a Response as it is. */
export const responseOf = (result: Response | Answer): Response =>
  result instanceof Response
    ? result
    : Response.json(result.body, { status: result.status, headers: noStore })

/** What a JSON route's handler receives. */
export type RouteInput<P, B> = {
  ctx: ServerContext
  params: P
  query: URLSearchParams
  request: Request
  /** The body parsed by the route's schema; undefined for routes without one. */
  body: B
}

/**
 * The Next.js handler of one JSON route of the dashboard's APIs (explorer, costs, services,
 * admin, rpc): the web process's context, path parameters, the query, the body read (at most
 * 64 KiB) and checked against `body` when given, and {@link runCall}'s answers and logging.
 *
 * @example
 * export const GET = jsonRoute({ name: 'blocks.list', handler: ({ ctx, query }) => listBlocks(ctx, ...) })
 */
export function jsonRoute<P = Record<string, never>, S extends z.ZodType | undefined = undefined>(route: {
  name: string
  body?: S
  handler: (input: RouteInput<P, S extends z.ZodType ? z.output<S> : undefined>) => Promise<Handled>
}) {
  return async (request: Request, context?: { params: Promise<P> }): Promise<Response> =>
    responseOf(
      await runCall('api', route.name, async () => {
        const params = (context ? await context.params : {}) as P
        const query = new URL(request.url).searchParams
        const body = (route.body ? await jsonBody(request, route.body) : undefined) as S extends z.ZodType
          ? z.output<S>
          : undefined
        return route.handler({ ctx: serverContext(), params, query, request, body })
      }),
    )
}
