import type { z } from 'zod'
import { errorBody, isAppError } from '../../errors'
import { type ServerContext, serverContext } from '../context'
import { env } from '../env'
import { type BodyOf, callOf, routeBody } from './body'
import { logCall, REQUEST_ID_HEADER, requestIdOf } from './callLog'
import { error, type HttpMethod, type OperationDoc } from './openapi'
import { pathParams, requireQueryText } from './params'

const noStore = { 'cache-control': 'no-store' }

/** A JSON answer with its status, for handlers that answer more than 200 without a web Response. */
export class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    /** Headers beyond the JSON ones (e.g. a 429's `Retry-After`). */
    readonly headers?: Record<string, string>,
  ) {}
}

/** What a handler returns: a Response, an {@link Answer}, or an object answered as JSON with 200. */
export type Handled = Response | Answer | object

/**
 * Runs one call of any JSON API: the handler's result as a Response or an {@link Answer}
 * (a plain object becomes 200), an AppError as `{ error: { code, message } }` with its status,
 * anything else as a 500 without internals, logged on one line with its cause and without URLs
 * (an RPC or database URL may carry credentials) as `[<api>] error: <name> failed: <cause>`.
 * The `error:` marker is the level: `npm start` logs the web server's lines by it (childLine in
 * lib/server/log.ts), and a cause such as `PrismaClientUnknownRequestError: ...` does not say
 * "error" as a word of its own. Every line of a call carries its request id (`requestId`),
 * route, status and ms: the 500's, a refusal's (`<name> answered <status> <code>`: a 4xx at
 * info level, a 5xx with a code, a known outage, as a warning) and a call slower than
 * LOG_SLOW_MS (a warning); at most ten a second per route and status (see sampled()). Calls
 * answered 2xx in time log nothing.
 */
export async function runCall(
  api: string,
  name: string,
  handler: () => Promise<Handled>,
  requestId?: string,
  /** When the call began (performance.now()), if before this step. */
  started: number = performance.now(),
): Promise<Response | Answer> {
  let result: Response | Answer
  let failure: unknown
  try {
    const handled = await handler()
    result = handled instanceof Response || handled instanceof Answer ? handled : new Answer(200, handled)
  } catch (error) {
    const { status, body, headers } = errorBody(error)
    if (!isAppError(error)) failure = error
    result = new Answer(status, body, headers)
  }
  const ms = performance.now() - started
  const status = result.status
  if (status >= 400 || ms >= env().LOG_SLOW_MS) {
    const code =
      result instanceof Answer ? (result.body as { error?: { code?: string } }).error?.code : undefined
    logCall(api, name, { requestId, status, ms, code, failure })
  }
  return result
}

/**
 * An {@link Answer} as a web Response (JSON, `cache-control: no-store`); a Response as it is;
 * with the call's request id in `X-Request-Id` when given.
 */
export const responseOf = (result: Response | Answer, requestId?: string): Response => {
  if (result instanceof Response) {
    if (requestId) result.headers.set(REQUEST_ID_HEADER, requestId)
    return result
  }
  const headers: Record<string, string> = result.headers ? { ...noStore, ...result.headers } : { ...noStore }
  if (requestId) headers[REQUEST_ID_HEADER] = requestId
  return Response.json(result.body, { status: result.status, headers })
}

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
 * admin, rpc): the web process's context; the path parameters and the query, each checked to be
 * text of bounded length (`{address}` an address, see pathParams); the body read (at most
 * 64 KiB) and checked against `body` when given, else refused unless empty or JSON; and
 * {@link runCall}'s answers and logging. Nothing a route reads from the request reaches its
 * handler unchecked.
 *
 * @example
 * export const GET = jsonRoute({ name: 'blocks.list', handler: ({ ctx, query }) => listBlocks(ctx, ...) })
 */
export function jsonRoute<P = Record<string, never>, S extends z.ZodType | undefined = undefined>(route: {
  name: string
  body?: S
  handler: (input: RouteInput<P, BodyOf<S>>) => Promise<Handled>
}) {
  return async (request: Request, context?: { params: Promise<P> }): Promise<Response> => {
    const requestId = requestIdOf(request.headers)
    return responseOf(
      await runCall(
        'api',
        route.name,
        async () => {
          const params = (context ? pathParams((await context.params) as Record<string, string>) : {}) as P
          const query = new URL(request.url).searchParams
          requireQueryText(query)
          const body = (await routeBody(callOf(request), route.body)) as BodyOf<S>
          return route.handler({ ctx: serverContext(), params, query, request, body })
        },
        requestId,
      ),
      requestId,
    )
  }
}

/** The names of an OpenAPI path's parameters: `'number'` for `/api/blocks/{number}`. */
export type ParamNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamNames<Rest>
  : never

/**
 * The path parameters of an OpenAPI path, as pathParams() checked them: `{ number: string }`
 * for `/api/blocks/{number}`; `{address}` is a lowercase address.
 */
export type PathParams<Path extends string> = {
  [K in ParamNames<Path>]: K extends 'address' ? `0x${string}` : string
}

/** A Next.js route handler as a route table holds it. */
export type RouteHandler = (
  request: Request,
  context: { params: Promise<Record<string, string>> },
) => Promise<Response> | Response

/**
 * One entry of a feature's route table: where it is served, its OpenAPI operation and its
 * handler. The app's `route.ts` files and the API's document are both derived from the tables
 * (see {@link handlersOf} and `openApiPaths`), so neither can forget a route.
 */
export type Route<M extends HttpMethod = HttpMethod, Path extends string = string> = OperationDoc & {
  method: M
  path: Path
  handler: RouteHandler
}

/**
 * A route table entry served by {@link jsonRoute}, logged under its operationId. The path
 * parameters are typed from the path; a `body` schema is checked before the handler runs and
 * documented as the JSON request body (unless the operation documents one itself).
 *
 * @example
 * route({ method: 'get', path: '/api/blocks/{number}', operation: { operationId: 'getBlock', ... },
 *   handler: ({ ctx, params }) => getBlock(ctx, params.number) })
 */
export function route<
  const M extends HttpMethod,
  const Path extends string,
  S extends z.ZodType | undefined = undefined,
>(spec: {
  method: M
  path: Path
  operation: OperationDoc['operation']
  body?: S
  handler: (input: RouteInput<PathParams<Path>, BodyOf<S>>) => Promise<Handled>
}): Route<M, Path> {
  const { method, path, operation, body, handler } = spec
  const documented = withTextRefusal(
    body && !operation.requestBody
      ? { ...operation, requestBody: { content: { 'application/json': { schema: body } } } }
      : operation,
    path,
  )
  return {
    method,
    path,
    operation: documented,
    handler: jsonRoute<PathParams<Path>, S>({ name: operation.operationId, body, handler }) as RouteHandler,
  }
}

const TEXT_REFUSAL =
  'a control character or a lone surrogate in a parameter or a string of the body (`invalid_text`)'

/**
 * The operation with `invalid_text` among its 400 answers when the route reads anything a
 * client wrote (path parameters, a query or a body), which jsonRoute refuses when it is not text.
 */
function withTextRefusal(operation: OperationDoc['operation'], path: string): OperationDoc['operation'] {
  const query = (operation.requestParams as { query?: unknown } | undefined)?.query
  if (!path.includes('{') && !query && !operation.requestBody) return operation
  const given = operation.responses?.['400'] as { description?: string } | undefined
  const refused = given?.description
    ? { ...given, description: `${given.description}; ${TEXT_REFUSAL}` }
    : error(`${TEXT_REFUSAL[0]?.toUpperCase()}${TEXT_REFUSAL.slice(1)}`)
  return { ...operation, responses: { ...operation.responses, '400': refused } }
}

/** The handlers a route table serves at one path, under Next.js's export names (`GET`, `POST`...). */
export type HandlersOf<R extends Route, Path extends string> = {
  [E in Extract<R, { path: Path }> as Uppercase<E['method']>]: RouteHandler
}

/**
 * The exports of the `route.ts` file that serves `path` (Next.js needs one physical file per
 * path): the table's handlers for that path by method. Throws at import for a path the table
 * does not serve.
 *
 * @example
 * // app/api/blocks/[number]/route.ts
 * export const { GET } = handlersOf(explorerRoutes, '/api/blocks/{number}')
 */
export function handlersOf<R extends Route, const Path extends R['path']>(
  routes: readonly R[],
  path: Path,
): HandlersOf<R, Path> {
  const served = routes.filter((r) => r.path === path)
  if (served.length === 0) throw new Error(`No route of this table serves ${path}.`)
  return Object.fromEntries(served.map((r) => [r.method.toUpperCase(), r.handler])) as HandlersOf<R, Path>
}
