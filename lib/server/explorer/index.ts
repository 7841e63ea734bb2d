/**
 * The explorer's reads: blocks, transactions, addresses, channels and search, answering the
 * types of lib/explorer/api.ts. Used by the JSON routes under app/api and by the pages.
 */
export { getAddress } from './addresses'
export { getBlock, listBlocks } from './blocks'
export { getChannel, listChannels, listEvents } from './channels'
export { search } from './search'
export { getTransaction } from './transactions'
