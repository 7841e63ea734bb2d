/**
 * The Payment Server's public face besides its route table (./routes, whose `paymentHandlers`
 * the `app/api/payment` files export): its OpenAPI document, and the check that the keystore
 * secret opens the stored service keys (readiness, npm start's preflight). The processes that host it
 * (instrumentation.ts, stack/web.ts) wire it through ./instance and ./webHooks.
 */
export { paymentStaleState } from './instance'
export { checkKeystoreSecret, KEYSTORE_MISMATCH, KeystoreMismatchError } from './keystore'
export { paymentOpenApi } from './openapi'
