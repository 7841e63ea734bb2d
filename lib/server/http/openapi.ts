import { z } from 'zod'
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi'
import { errorSchema } from './schemas'

/** A JSON response of an OpenAPI operation. */
export const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

/** An error response (`{ error: { code, message } }`); the description names its codes. */
export const error = (description: string) => json(errorSchema, description)

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
