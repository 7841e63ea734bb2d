import { errorBody, isAppError } from '../../errors'
import { errorText } from '../../errorText'
import { serverContext } from '../context'
import type { ExplorerContext } from './shared'

const noStore = { 'cache-control': 'no-store' }

export type ExplorerRouteContext<P> = {
  ctx: ExplorerContext
  params: P
  query: URLSearchParams
  request: Request
}

/**
 * Wraps an explorer route (GET, or a POST that reads its body from `request`): JSON with status 200
 * (or the handler's own Response, e.g. a CSV), an AppError as `{ error: { code, message } }`
 * with its status, anything else as a 500 without internals (logged on one line).
 */
export function explorerRoute<P = Record<string, never>>(
  name: string,
  handler: (c: ExplorerRouteContext<P>) => Promise<object | Response>,
) {
  return async (request: Request, context?: { params: Promise<P> }): Promise<Response> => {
    try {
      const params = (context ? await context.params : {}) as P
      const query = new URL(request.url).searchParams
      const result = await handler({ ctx: serverContext(), params, query, request })
      return result instanceof Response ? result : Response.json(result, { headers: noStore })
    } catch (error) {
      const { status, body } = errorBody(error)
      if (!isAppError(error))
        console.error(`[explorer] ${name} failed: ${errorText(error, { withName: true, hideUrls: true })}`)
      return Response.json(body, { status, headers: noStore })
    }
  }
}
