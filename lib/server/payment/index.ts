/**
 * The Payment Server's public face for pages and other features: its route table's handlers
 * (`paymentHandlers`, for the `app/api/payment` files) and its OpenAPI document. The processes
 * that host it (instrumentation.ts, stack/web.ts) wire it through ./instance and ./webHooks.
 */
export { paymentOpenApi } from './openapi'
export { paymentHandlers } from './routes'
