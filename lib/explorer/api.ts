import { z } from 'zod'

/**
 * The explorer's JSON API (`/api/blocks`, `/api/tx/…`, `/api/address/…`, `/api/channels`, …):
 * its response bodies as zod schemas, which give the TypeScript types the pages use and the
 * OpenAPI document served at `/api/openapi.json`. Client-safe (no server imports).
 *
 * Conventions: every chain quantity (block numbers, gas, wei, token ids, counts) is a decimal
 * string, exact for uint256; hashes and addresses are lowercase 0x-hex; times are ISO-8601 UTC.
 */

const dec = (description: string) =>
  z.string().meta({ description: `${description} (decimal string)`, example: '1000000000000' })
const hash = (description: string) =>
  z.string().meta({ description: `${description} (0x-hex, 32 bytes, lowercase)` })
const addr = (description: string) =>
  z.string().meta({ description: `${description} (0x-hex, 20 bytes, lowercase)` })
const iso = (description: string) => z.string().meta({ description: `${description} (ISO-8601, UTC)` })
const cursor = z
  .string()
  .nullable()
  .meta({ description: 'Pass as `cursor` to get the next page; null on the last page' })

/** Where the data came from: the index (Postgres) or the chain node directly (not indexed). */
export const sourceSchema = z
  .enum(['index', 'node'])
  .meta({ description: '`index`: read from the indexed database; `node`: fetched from the chain node' })

export const labelSchema = z
  .object({
    address: addr('Labelled address'),
    name: z.string().meta({ description: 'Service name, "channel factory", or the channel parties' }),
    kind: z.enum(['service', 'factory', 'channel']),
    team: z.string().nullable(),
  })
  .meta({ id: 'Label' })
export type Label = z.infer<typeof labelSchema>

export const labelsSchema = z
  .record(z.string(), labelSchema)
  .meta({ id: 'Labels', description: 'Names of the addresses this answer mentions, by lowercase address' })
export type Labels = z.infer<typeof labelsSchema>

export const decodedArgSchema = z
  .object({
    name: z.string().meta({ description: 'Parameter name (its position when unnamed)' }),
    type: z.string().meta({ description: 'Solidity type, e.g. uint256, address, bytes' }),
    value: z.unknown().meta({
      description: 'Integers as decimal strings, addresses and bytes as lowercase hex, booleans as booleans',
    }),
  })
  .meta({ id: 'DecodedArg' })
export type DecodedArg = z.infer<typeof decodedArgSchema>

export const decodedCallSchema = z
  .object({
    name: z.string(),
    signature: z.string().meta({ example: 'open(address,uint256,uint256,uint256)' }),
    selector: z.string().meta({ example: '0x1a2b3c4d' }),
    args: z.array(decodedArgSchema),
  })
  .meta({ id: 'DecodedCall' })
export type DecodedCall = z.infer<typeof decodedCallSchema>

export const revertSchema = z
  .object({
    name: z
      .string()
      .nullable()
      .meta({ description: 'Custom error name; null when the revert data is not of a known ABI' }),
    message: z.string().meta({ description: 'What the error means, in words' }),
    args: z.array(decodedArgSchema),
    data: z.string().nullable().meta({ description: 'Raw revert data; null when the node gave none' }),
  })
  .meta({ id: 'Revert' })
export type Revert = z.infer<typeof revertSchema>

export const blockSummarySchema = z
  .object({
    number: dec('Block number'),
    hash: hash('Block hash'),
    timestamp: iso('Block time'),
    miner: addr('Fee recipient'),
    gasUsed: dec('Gas used'),
    gasLimit: dec('Gas limit'),
    baseFeePerGas: dec('Base fee per gas in wei').nullable(),
    size: dec('Size in bytes'),
    txCount: dec('Number of transactions'),
  })
  .meta({ id: 'BlockSummary' })
export type BlockSummary = z.infer<typeof blockSummarySchema>

export const txSummarySchema = z
  .object({
    hash: hash('Transaction hash'),
    blockNumber: dec('Block number'),
    txIndex: dec('Position in the block'),
    timestamp: iso('Block time').nullable(),
    from: addr('Sender'),
    to: addr('Recipient').nullable(),
    contractAddress: addr('Created contract').nullable(),
    value: dec('Value in wei'),
    fee: dec('Fee paid in wei').nullable(),
    status: z.enum(['success', 'reverted', 'unknown']),
    method: z
      .string()
      .nullable()
      .meta({ description: 'Function name when the ABI is known, else the 4-byte selector' }),
    channel: addr('Channel or factory the transaction concerns').nullable(),
  })
  .meta({ id: 'TransactionSummary' })
export type TxSummary = z.infer<typeof txSummarySchema>

export const headSchema = z
  .object({
    number: dec('Newest block the node has').nullable(),
    timestamp: iso('Its time').nullable(),
    indexed: dec('Newest fully indexed block').nullable(),
    blockTimeSeconds: z
      .number()
      .nullable()
      .meta({ description: 'Average seconds between recent blocks; null when unknown' }),
  })
  .meta({ id: 'Head' })
export type Head = z.infer<typeof headSchema>

export const blockPageSchema = z
  .object({ blocks: z.array(blockSummarySchema), nextCursor: cursor, head: headSchema, labels: labelsSchema })
  .meta({ id: 'BlockPage' })
export type BlockPage = z.infer<typeof blockPageSchema>

export const blockDetailSchema = z
  .object({
    block: blockSummarySchema.extend({ parentHash: hash('Parent block hash'), source: sourceSchema }),
    transactions: z.array(txSummarySchema),
    transactionsSource: sourceSchema,
    labels: labelsSchema,
  })
  .meta({ id: 'BlockDetail' })
export type BlockDetail = z.infer<typeof blockDetailSchema>

export const txEventSchema = z
  .object({
    logIndex: dec('Position of the log in the block'),
    address: addr('Emitting contract'),
    name: z.string().nullable().meta({ description: 'Event name; null when the ABI is not known' }),
    signature: z.string().nullable(),
    args: z.array(decodedArgSchema).nullable(),
    topics: z.array(z.string()),
    data: z.string(),
  })
  .meta({ id: 'TransactionEvent' })
export type TxEvent = z.infer<typeof txEventSchema>

export const txDetailSchema = z
  .object({
    transaction: z.object({
      hash: hash('Transaction hash'),
      source: sourceSchema,
      status: z.enum(['success', 'reverted', 'pending']),
      blockNumber: dec('Block number').nullable(),
      blockHash: hash('Block hash').nullable(),
      txIndex: dec('Position in the block').nullable(),
      timestamp: iso('Block time').nullable(),
      confirmations: dec('Blocks on top of it, its own included').nullable(),
      type: z.string().meta({ example: 'eip1559' }),
      from: addr('Sender'),
      to: addr('Recipient').nullable(),
      contractAddress: addr('Created contract').nullable(),
      value: dec('Value in wei'),
      nonce: dec('Sender nonce'),
      gasLimit: dec('Gas limit'),
      gasUsed: dec('Gas used').nullable(),
      gasPrice: dec('Legacy gas price in wei').nullable(),
      maxFeePerGas: dec('EIP-1559 fee cap in wei').nullable(),
      maxPriorityFeePerGas: dec('EIP-1559 tip cap in wei').nullable(),
      effectiveGasPrice: dec('Price paid per gas in wei').nullable(),
      fee: dec('gasUsed × effectiveGasPrice in wei').nullable(),
      input: z.string().meta({ description: 'Call data, 0x-hex' }),
      call: decodedCallSchema
        .nullable()
        .meta({ description: 'The function called; null when the ABI is not known' }),
      revert: revertSchema.nullable().meta({ description: 'Why it failed; null unless reverted' }),
      channel: addr('Channel or factory the transaction concerns').nullable(),
    }),
    events: z.array(txEventSchema),
    labels: labelsSchema,
  })
  .meta({ id: 'TransactionDetail' })
export type TxDetail = z.infer<typeof txDetailSchema>

export const channelPhaseSchema = z.enum(['open', 'redeeming', 'terminating', 'terminated'])

export const channelSummarySchema = z
  .object({
    address: addr('Channel'),
    consumer: addr('Consumer (pays)'),
    provider: addr('Provider (is paid)'),
    phase: channelPhaseSchema,
    costPerRequest: dec('Price per request in wei'),
    redemptionTimeout: dec('Seconds from starting to completing a redemption'),
    terminationTimeout: dec('Seconds the consumer waits after announcing termination'),
    consumerFunds: dec('Funds of the consumer in wei'),
    providerFunds: dec('Funds of the provider in wei (redeemed, not withdrawn)'),
    activeTokenId: dec('Token id of the active token; 0 when none'),
    expiringTokenId: dec('Token id in redemption; 0 when none'),
    redeemableAt: dec('Unix time from which the redemption can complete; 0 when none'),
    lastTokenId: dec('Highest token id used'),
    terminatesAt: dec('Unix time from which the consumer can terminate; 0 when not announced'),
    terminated: z.boolean(),
    terminatedBy: addr('Who terminated').nullable(),
    openedBlock: dec('Block it was opened in'),
    openedTx: hash('Transaction that opened it'),
    openedAt: iso('When it was opened'),
    totalDeposited: dec('All deposits in wei'),
    totalRedeemed: dec('All redeemed amounts in wei'),
    totalRequests: dec('Requests paid by redemptions'),
    totalWithdrawn: dec('All withdrawals in wei'),
    redemptions: dec('Completed redemptions'),
    lastEventBlock: dec('Block of its latest event'),
  })
  .meta({ id: 'ChannelSummary' })
export type ChannelSummary = z.infer<typeof channelSummarySchema>

export const channelPageSchema = z
  .object({
    channels: z.array(channelSummarySchema),
    nextCursor: cursor,
    head: headSchema,
    labels: labelsSchema,
  })
  .meta({ id: 'ChannelPage' })
export type ChannelPage = z.infer<typeof channelPageSchema>

export const channelEventSchema = z
  .object({
    channel: addr('Channel'),
    blockNumber: dec('Block number'),
    timestamp: iso('Block time'),
    txHash: hash('Transaction'),
    logIndex: dec('Position of the log in the block'),
    name: z.string(),
    args: z.array(decodedArgSchema),
  })
  .meta({ id: 'ChannelEvent' })
export type ChannelEventRow = z.infer<typeof channelEventSchema>

export const countdownSchema = z
  .object({
    at: iso('When it becomes possible'),
    secondsLeft: z.number().meta({ description: 'Seconds from the chain head to `at`; 0 when due' }),
    blocksLeft: dec('Blocks until then at the recent block time').nullable(),
    due: z.boolean(),
  })
  .meta({ id: 'Countdown' })
export type Countdown = z.infer<typeof countdownSchema>

export const channelDetailSchema = z
  .object({
    channel: channelSummarySchema,
    head: headSchema,
    countdowns: z.object({
      redeemable: countdownSchema
        .nullable()
        .meta({ description: 'Until the pending redemption can complete' }),
      termination: countdownSchema
        .nullable()
        .meta({ description: 'Until the consumer may terminate (after announcing it)' }),
    }),
    events: z.array(channelEventSchema),
    transactions: z.array(txSummarySchema),
    labels: labelsSchema,
  })
  .meta({ id: 'ChannelDetail' })
export type ChannelDetail = z.infer<typeof channelDetailSchema>

export const eventPageSchema = z
  .object({ events: z.array(channelEventSchema), nextCursor: cursor, labels: labelsSchema })
  .meta({ id: 'EventPage' })
export type EventPage = z.infer<typeof eventPageSchema>

export const addressDetailSchema = z
  .object({
    address: addr('The address'),
    kind: z
      .enum(['account', 'contract'])
      .nullable()
      .meta({ description: 'null when the node does not answer' }),
    balance: dec('Balance in wei').nullable(),
    nonce: dec('Transactions sent').nullable(),
    label: labelSchema.nullable(),
    channel: channelSummarySchema.nullable().meta({ description: 'Set when the address is a channel' }),
    channels: z
      .array(channelSummarySchema)
      .meta({ description: 'Channels where it is consumer or provider' }),
    transactions: z.array(txSummarySchema).meta({ description: 'Indexed transactions from, to or about it' }),
    nextCursor: cursor,
    head: headSchema,
    labels: labelsSchema,
  })
  .meta({ id: 'AddressDetail' })
export type AddressDetail = z.infer<typeof addressDetailSchema>

export const searchResultSchema = z
  .object({
    kind: z.enum(['block', 'transaction', 'address']),
    path: z.string().meta({ description: 'The page to open', example: '/tx/0xabc…' }),
  })
  .meta({ id: 'SearchResult' })
export type SearchResult = z.infer<typeof searchResultSchema>
