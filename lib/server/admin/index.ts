/**
 * The wallet admin's server side: the chain and factory the browser's wallet uses, a channel's
 * redemption token for its provider, and the read-only JSON-RPC proxy (routes in routes.ts).
 */
export { channelSpendingNow } from './channelSpending'
export { redemptionToken } from './redemptionToken'
export { proxyRpc } from './rpcProxy'
export { walletChain } from './walletChain'
