import { exampleToken, story } from '../../http/examples'

/**
 * The values the dashboard API's examples share: the story of every document's examples
 * (../../http/examples), seen from the index.
 */
export const v = {
  chainId: story.chainId,
  factory: story.factory,
  channel: story.channel,
  consumer: story.consumer,
  provider: story.provider,
  price: story.costPerRequest,
  token: exampleToken(42),
  openTx: '0x9c1f4a5be2d3c8e7f60a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607',
  blockHash: '0x3b7e6f2a9c1d4e8b5a0f7c2d9e1b4a6c8d3f5e7a9b1c2d4e6f8a0b2c4d6e8f0a',
  parentHash: '0x8f2e4c6a1b3d5f7e9a0c2b4d6f8e1a3c5b7d9f0e2a4c6b8d1f3e5a7c9b0d2f4e',
  miner: '0x0000000000000000000000000000000000000000',
  time: '2026-12-07T09:20:14.000Z',
  block: '1842',
}

/** The labels of the examples' addresses, as every explorer answer carries them. */
export const labels = {
  [v.consumer]: { address: v.consumer, name: 'shop', kind: 'service', team: 'team-a' },
  [v.provider]: { address: v.provider, name: 'billing', kind: 'service', team: 'team-b' },
  [v.factory]: { address: v.factory, name: 'channel factory', kind: 'factory', team: null },
  [v.channel]: { address: v.channel, name: 'shop → billing', kind: 'channel', team: null },
}

export const head = {
  number: '1850',
  timestamp: '2026-12-07T09:20:30.000Z',
  indexed: '1850',
  blockTimeSeconds: 2,
}

export const blockSummary = {
  number: v.block,
  hash: v.blockHash,
  timestamp: v.time,
  miner: v.miner,
  gasUsed: '1810813',
  gasLimit: '30000000',
  baseFeePerGas: '875000000',
  size: '7412',
  txCount: '1',
}

export const txSummary = {
  hash: v.openTx,
  blockNumber: v.block,
  txIndex: '0',
  from: v.consumer,
  to: v.factory,
  contractAddress: null,
  value: '1000000000000000',
  status: 'success',
  fee: '1584461375000000',
  channel: v.channel,
  timestamp: v.time,
  method: 'open',
}

export const channelSummary = {
  address: v.channel,
  consumer: v.consumer,
  provider: v.provider,
  costPerRequest: v.price,
  redemptionTimeout: '60',
  terminationTimeout: '900',
  consumerFunds: '1000000000000000',
  providerFunds: '0',
  activeTokenId: '1',
  expiringTokenId: '0',
  redeemableAt: '0',
  lastTokenId: '1',
  terminatesAt: '0',
  terminated: false,
  terminatedBy: null,
  openedBlock: v.block,
  openedTx: v.openTx,
  openedAt: v.time,
  totalDeposited: '1000000000000000',
  totalRedeemed: '0',
  totalRequests: '0',
  totalWithdrawn: '0',
  redemptions: '0',
  lastEventBlock: v.block,
  contractVersion: '1',
  prices: null,
  phase: 'open',
}

export const depositEvent = {
  channel: v.channel,
  blockNumber: v.block,
  timestamp: v.time,
  txHash: v.openTx,
  logIndex: '1',
  name: 'Deposited',
  args: [
    { name: 'from', type: 'address', value: v.consumer },
    { name: 'amount', type: 'uint256', value: '1000000000000000' },
    { name: 'consumerFunds', type: 'uint256', value: '1000000000000000' },
  ],
}
