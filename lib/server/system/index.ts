/**
 * The dashboard's own state: the web process's health (database and node), the start's
 * readiness and the indexer's progress, as GET /api/health, /api/readyz and /api/status answer
 * them (schemas in lib/system/api.ts) and the home page shows them.
 */
export { checkHealth } from './health'
export { readIndexerStatus } from './indexerStatus'
export { checkReadiness } from './readiness'
