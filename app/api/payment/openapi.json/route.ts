import { paymentOpenApi } from '@/lib/server/payment'

export const dynamic = 'force-static'

/** GET /api/payment/openapi.json: the OpenAPI 3.1 document of the Payment Server. */
export function GET(): Response {
  return Response.json(paymentOpenApi())
}
