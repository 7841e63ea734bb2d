import { z } from 'zod'
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi'
import { errorSchema } from './schemas'

/**
 * Named examples of a request or response body, as the OpenAPI `examples` map: what Redoc shows
 * beside the operation and what a client in another language copies. The document's tests parse
 * each one with the schema it illustrates, so an example cannot drift from what is served.
 */
export type Examples = Record<string, { summary: string; value: unknown }>

/** A JSON response of an OpenAPI operation, with examples of its body when given. */
export const json = (schema: z.ZodType, description: string, examples?: Examples) => ({
  description,
  content: { 'application/json': { schema, ...(examples ? { examples } : {}) } },
})

/**
 * An error response (`{ error: { code, message } }`); the description names its codes, and
 * `refusals` gives a typical answer of some of them, by code.
 *
 * @example
 * error('`no_channel` (open one first)', { no_channel: 'Service shop has no open channel to billing.' })
 */
export const error = (description: string, refusals?: Record<string, string>) =>
  json(errorSchema, description, refusals && refusalExamples(refusals))

/** Error answers (`{ error: { code, message } }`) as named examples, one per code. */
export const refusalExamples = (refusals: Record<string, string>): Examples =>
  Object.fromEntries(
    Object.entries(refusals).map(([code, message]) => [
      code,
      { summary: code, value: { error: { code, message } } },
    ]),
  )

/** The `{address}` path parameter of a route (see `addressParam`). */
export const addressPath = z.object({
  address: z
    .string()
    .meta({ description: '0x and 40 hex digits', example: '0x5fbdb2315678afecb367f032d93f642f64180aa3' }),
})

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete'

/**
 * What an API's document needs to know of one route; each feature's route table carries it
 * beside the handler, so the served routes and the document cannot drift apart. `operationId`,
 * `tags` and `summary` are required: clients generated from the document name their methods
 * after the operationId.
 */
export type OperationDoc = {
  method: HttpMethod
  /** OpenAPI path, e.g. `/api/blocks/{number}`. */
  path: string
  operation: ZodOpenApiOperationObject & { operationId: string; tags: string[]; summary: string }
}

/**
 * The `paths` object of a document assembled from routes' {@link OperationDoc}s. Throws on two
 * routes with the same method and path or the same operationId (a table mistake, found by the
 * document's test rather than by a client).
 */
export function openApiPaths(routes: Iterable<OperationDoc>): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {}
  const ids = new Set<string>()
  for (const { method, path, operation } of routes) {
    const item = paths[path] ?? {}
    paths[path] = item
    if (item[method]) throw new Error(`Two routes for ${method.toUpperCase()} ${path}.`)
    if (ids.has(operation.operationId))
      throw new Error(`Two routes with operationId ${operation.operationId}.`)
    ids.add(operation.operationId)
    item[method] = operation
  }
  return paths
}
