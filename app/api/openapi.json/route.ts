import { explorerOpenApi } from '@/lib/server/explorer/openapi'

export const dynamic = 'force-static'

/** GET /api/openapi.json: the OpenAPI 3.1 document of the explorer API. */
export function GET(): Response {
  return Response.json(explorerOpenApi())
}
