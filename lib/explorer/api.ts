import { z } from 'zod'
import { blockColumns, blockSummaryEntity } from '../columns/block'
import { channelSummaryEntity } from '../columns/channel'
import {
  addressSchema as addr,
  decimalSchema as dec,
  hashSchema as hash,
  isoSchema as iso,
} from '../columns/kinds'
import { txDetailEntity, txSummaryEntity } from '../columns/transaction'

/**
 * The explorer's JSON API (`/api/blocks`, `/api/tx/…`, `/api/address/…`, `/api/channels`, …):
 * its response bodies as zod schemas, which give the TypeScript types the pages use and the
 * OpenAPI document served at `/api/openapi.json`. Client-safe (no server imports).
 *
 * Conventions: every chain quantity (block numbers, gas, wei, token ids, counts) is a decimal
 * string, exact for uint256; hashes and addresses are lowercase 0x-hex; times are ISO-8601 UTC.
 * What mirrors a stored row (blocks, transactions, channels) takes its fields' schemas from the
 * row's column list (lib/columns), so the answer and the table cannot drift apart.
 */
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

export const blockSummarySchema = z.object(blockSummaryEntity.shape).meta({ id: 'BlockSummary' })
export type BlockSummary = z.infer<typeof blockSummarySchema>

const txShape = txSummaryEntity.shape

export const txSummarySchema = z
  .object({
    ...txShape,
    timestamp: iso('Block time').nullable(),
    // From the node, before its receipt: no fee, status unknown.
    fee: txShape.fee.nullable(),
    status: z.enum(['success', 'reverted', 'unknown']),
    method: z
      .string()
      .nullable()
      .meta({ description: 'Function name when the ABI is known, else the 4-byte selector' }),
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
    block: blockSummarySchema.extend({ parentHash: blockColumns.parentHash.schema, source: sourceSchema }),
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
      ...txDetailEntity.shape,
      source: sourceSchema,
      // From the node, a pending transaction has no block and no receipt yet.
      status: z.enum(['success', 'reverted', 'pending']),
      blockNumber: txDetailEntity.shape.blockNumber.nullable(),
      blockHash: txDetailEntity.shape.blockHash.nullable(),
      txIndex: txDetailEntity.shape.txIndex.nullable(),
      timestamp: iso('Block time').nullable(),
      confirmations: dec('Blocks on top of it, its own included').nullable(),
      gasUsed: txDetailEntity.shape.gasUsed.nullable(),
      effectiveGasPrice: txDetailEntity.shape.effectiveGasPrice.nullable(),
      fee: dec('gasUsed × effectiveGasPrice in wei').nullable(),
      call: decodedCallSchema
        .nullable()
        .meta({ description: 'The function called; null when the ABI is not known' }),
      revert: revertSchema.nullable().meta({ description: 'Why it failed; null unless reverted' }),
    }),
    events: z.array(txEventSchema).meta({
      description: "Every log of the transaction's receipt in log-index order (see `eventsSource`)",
    }),
    eventsSource: sourceSchema.meta({
      description:
        "`node`: every log of the receipt, read from the chain node; `index`: the node did not answer, so only the factory's and the channels' events the index holds",
    }),
    eventsNote: z
      .string()
      .nullable()
      .meta({ description: 'Why the events may be incomplete (a sentence); null when they are all there' }),
    labels: labelsSchema,
  })
  .meta({ id: 'TransactionDetail' })
export type TxDetail = z.infer<typeof txDetailSchema>

export const channelPhaseSchema = z.enum(['open', 'redeeming', 'terminating', 'terminated'])

export const channelSummarySchema = z
  .object({ ...channelSummaryEntity.shape, phase: channelPhaseSchema })
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

export const channelCategorySchema = z
  .object({
    category: z.number().int().meta({ description: "0-based index in the channel's price table" }),
    name: z.string().meta({
      description: 'The name the Payment Server gave it, or "category N" (1-based) when it has none',
    }),
    named: z.boolean().meta({ description: 'Whether `name` is a given name (false: "category N")' }),
    origin: addr('The origin consumer whose requests this category traces').nullable(),
    price: dec('Price per request in wei for the active token ID'),
    redeemedAmount: dec(
      "Wei redeemed in this category over the channel's life (its share of each redemption)",
    ),
    redeemedRequests: dec("Requests of this category redeemed over the channel's life"),
  })
  .meta({ id: 'ChannelCategory' })
export type ChannelCategory = z.infer<typeof channelCategorySchema>

export const priceAnnouncementSchema = z
  .object({
    fromTokenId: dec('The first token ID the table prices (it holds until the next announcement)'),
    version: dec('Price version (0: the opening table)'),
    blockNumber: dec('Block of the PricesAnnounced event'),
    timestamp: iso('Block time'),
    txHash: hash('Transaction'),
    logIndex: dec('Position of the log in the block'),
    prices: z.array(dec('Price per request in wei, per category (0-based)')),
  })
  .meta({ id: 'PriceAnnouncement' })
export type PriceAnnouncement = z.infer<typeof priceAnnouncementSchema>

/** A version 2 channel's categories and price history (null for a version 1 channel). */
export const channelPricingSchema = z
  .object({
    categories: z.array(channelCategorySchema).meta({ description: 'The active price table, by category' }),
    history: z
      .array(priceAnnouncementSchema)
      .meta({ description: 'Every price table announced (its PricesAnnounced events), newest first' }),
  })
  .meta({ id: 'ChannelPricing' })
export type ChannelPricing = z.infer<typeof channelPricingSchema>

export const channelDetailSchema = z
  .object({
    channel: channelSummarySchema,
    pricing: channelPricingSchema
      .nullable()
      .meta({ description: 'Version 2: categories, active prices and price history; null for version 1' }),
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
    kind: z.enum(['block', 'transaction', 'address', 'service']),
    path: z.string().meta({ description: 'The page to open', example: '/tx/0xabc…' }),
  })
  .meta({ id: 'SearchResult' })
export type SearchResult = z.infer<typeof searchResultSchema>
