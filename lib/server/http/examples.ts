/**
 * The story every API document's examples tell (the Payment Server's in
 * lib/server/payment/examples.ts, the explorer's in lib/server/dashboard/examples/): one
 * consumer, `shop`, paying one provider, `billing`, through one channel on the dev chain.
 * Amounts are decimal wei strings, addresses lowercase, a token in its wire format.
 */
export const story = {
  chainId: 31337,
  factory: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  channel: '0xa16e02e87b7454126e5e10d957a927a7f5b5d2be',
  consumer: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  provider: '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc',
  /** Wei per request. */
  costPerRequest: '1000000000000',
} as const

const signature =
  '0x8b3a1f6c2d5e4b7a9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d1b'

/** A token of the story's channel (token ID 1) for `requests` requests, in the wire format. */
export const exampleToken = (requests: number) =>
  `v1.${story.chainId}.${story.channel}.1.${requests}.${signature}`
