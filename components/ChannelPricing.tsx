import { defaultCategoryName } from '@/lib/costs/categories'
import type { Labels, ChannelPricing as Pricing } from '@/lib/explorer/api'
import { formatNumber } from '@/lib/explorer/format'
import { AddressLink } from './AddressLink'
import { Amount } from './Amount'
import { BlockLink } from './BlockLink'
import { BlockTime } from './BlockTime'
import { HashLink } from './HashLink'

/**
 * A version 2 channel's active price table, one row per request category with its name (the
 * Payment Server's, else "category N"), what it was paid over the channel's life, and the origin
 * consumer it traces where known.
 */
export function ChannelPriceTable({ pricing, labels }: { pricing: Pricing; labels: Labels }) {
  return (
    <div className="table-wrap">
      <table className="table collapse" data-testid="channel-price-table">
        <thead>
          <tr>
            <th>Category</th>
            <th className="num">Price per request</th>
            <th className="num">Redeemed</th>
            <th>Traces</th>
          </tr>
        </thead>
        <tbody>
          {pricing.categories.map((c) => (
            <tr key={c.category} data-testid="channel-category" data-category={c.category}>
              <td data-label="Category">
                <span data-testid="channel-category-name">{c.name}</span>
                {c.named && <span className="muted small"> · category {c.category + 1}</span>}
              </td>
              <td data-label="Price" className="num">
                <Amount wei={c.price} testId="channel-category-price" />
              </td>
              <td data-label="Redeemed" className="num">
                <Amount wei={c.redeemedAmount} testId="channel-category-redeemed" />
                <span className="muted small"> for {formatNumber(c.redeemedRequests)} requests</span>
              </td>
              <td data-label="Traces">
                {c.origin ? (
                  <AddressLink address={c.origin} labels={labels} />
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/**
 * Every price table the channel announced (its PricesAnnounced events: the opening one and each
 * change), newest first: from which token ID it holds, when, and its prices by category name.
 */
export function PriceHistory({ pricing }: { pricing: Pricing }) {
  const names = pricing.categories.map((c) => c.name)
  return (
    <div className="table-wrap">
      <table className="table collapse" data-testid="channel-price-history">
        <thead>
          <tr>
            <th>From token</th>
            <th>Block</th>
            <th>Time</th>
            <th>Prices</th>
          </tr>
        </thead>
        <tbody>
          {pricing.history.map((h) => (
            <tr key={`${h.txHash}:${h.logIndex}`} data-testid="price-announcement" data-from={h.fromTokenId}>
              <td data-label="From token">
                #{formatNumber(h.fromTokenId)}
                <span className="muted small"> · version {h.version}</span>
              </td>
              <td data-label="Block" className="nowrap">
                <BlockLink number={h.blockNumber} /> · <HashLink kind="tx" hash={h.txHash} />
              </td>
              <td data-label="Time">
                <BlockTime iso={h.timestamp} />
              </td>
              <td data-label="Prices">
                <ul className="arg-items">
                  {h.prices.map((price, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: a table's prices are its categories, by position
                    <li key={i}>
                      <span className="muted">{names[i] ?? defaultCategoryName(i)}:</span>{' '}
                      <Amount wei={price} />
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
