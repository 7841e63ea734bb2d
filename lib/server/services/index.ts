/**
 * Services and their labels: the label store and its signed edit, names for the addresses in
 * the explorer's and the costs' answers, and the services offered when opening a channel.
 * Client-safe rules, typed data and the API's schemas are in lib/services/. The Payment
 * Server's own registry (API keys, sealed private keys) stays in lib/server/payment/services.ts.
 */
export { knownServices } from './knownServices'
export { authorizeAdminEdit, saveServiceLabel } from './labelEdit'
export {
  findServiceLabel,
  listServiceLabels,
  type ServiceName,
  serviceAddress,
  serviceNames,
  unlabelledParties,
} from './labels'
export { labelsFor } from './labelsFor'
