import type { IndexedChannel } from '../channelEvents'
import { type DomainOf, entity, omit } from './entity'
import { address, bool, type DecimalLike, hash, int, int8, nullable, seconds, uint, uintList } from './kinds'
import { sameType } from './sameType'

/**
 * A v2 channel's active price table; null for v1. Prisma reads a NULL `numeric[]` as an empty
 * list, and a v2 table is never empty (1 to 8 categories), so both read as null.
 */
function pricesColumn() {
  const column = nullable(
    uintList(
      'Version 2: price per request in wei of each category (0-based) for the active token ID; null for version 1',
    ),
  )
  return {
    ...column,
    decode: (v: DecimalLike[] | null) => (v === null || v.length === 0 ? null : column.decode(v)),
  }
}

/**
 * The `channel` table: a channel's state as the indexer derives it from events (its terms,
 * the contract's state, history totals). A new field is added here (and to the Prisma schema,
 * its migration and `IndexedChannel`); the indexer's writes and reads, the explorer's answer,
 * its zod schema and the UI's fallback state follow from this list.
 */
export const channelColumns = {
  address: address('Channel'),
  consumer: address('Consumer (pays)'),
  provider: address('Provider (is paid)'),
  costPerRequest: uint(
    "Price per request in wei (version 2: the first category's price in the active price table)",
  ),
  redemptionTimeout: uint('Seconds from starting to completing a redemption'),
  terminationTimeout: uint('Seconds the consumer waits after announcing termination'),
  consumerFunds: uint('Funds of the consumer in wei'),
  providerFunds: uint('Funds of the provider in wei (redeemed, not withdrawn)'),
  activeTokenId: uint('Token id of the active token; 0 when none'),
  expiringTokenId: uint('Token id in redemption; 0 when none'),
  redeemableAt: uint('Unix time from which the redemption can complete; 0 when none'),
  lastTokenId: uint('Highest token id used'),
  terminatesAt: uint('Unix time from which the consumer can terminate; 0 when not announced'),
  terminated: bool(),
  terminatedBy: nullable(address('Who terminated')),
  openedBlock: int8('Block it was opened in'),
  openedTx: hash('Transaction that opened it'),
  openedAt: seconds('When it was opened'),
  totalDeposited: uint('All deposits in wei'),
  totalRedeemed: uint('All redeemed amounts in wei'),
  totalRequests: uint('Requests paid by redemptions'),
  totalWithdrawn: uint('All withdrawals in wei'),
  redemptions: int('Completed redemptions'),
  eventCount: int('Events of the channel'),
  lastEventBlock: int8('Block of its latest event'),
  contractVersion: int(
    'Contract version: 1 (Intermediary) or 2 (IntermediaryV2: categories and price tables)',
  ),
  prices: pricesColumn(),
}
sameType<DomainOf<typeof channelColumns>, IndexedChannel>()

/**
 * Columns fixed when the channel opens; every other one changes with its events (`costPerRequest`
 * too: a v2 channel's is its active price table's first price, which startRedemptionWithPrices changes).
 */
export const channelFixedColumns = [
  'address',
  'consumer',
  'provider',
  'redemptionTimeout',
  'terminationTimeout',
  'openedBlock',
  'openedTx',
  'openedAt',
  'contractVersion',
] as const satisfies readonly (keyof typeof channelColumns)[]

/** A stored channel. */
export const channelEntity = entity(channelColumns)

/** A channel as the explorer's JSON API shows it (with its phase, see lib/explorer/api). */
export const channelSummaryEntity = entity(omit(channelColumns, ['eventCount']))
