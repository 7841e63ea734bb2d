/**
 * The Payment Server's public face besides its route table (./routes, whose `paymentHandlers`
 * the `app/api/payment` files export): its OpenAPI document. The processes that host it
 * (instrumentation.ts, stack/web.ts) wire it through ./instance and ./webHooks.
 */
export { paymentStaleState } from './instance'
export { paymentOpenApi } from './openapi'
