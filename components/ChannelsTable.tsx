import Link from 'next/link'
import type { ChannelSummary, Head, Labels } from '@/lib/explorer/api'
import { shortAddress } from '@/lib/explorer/format'
import { AddressLink } from './AddressLink'
import { Amount } from './Amount'
import { ChannelCountdowns } from './ChannelCountdowns'
import { PhasePill } from './PhasePill'

/** Channels as rows: parties, price per request, both funds, phase, tokens and pending deadlines. */
export function ChannelsTable({
  channels,
  head,
  labels,
}: {
  channels: ChannelSummary[]
  head: Head
  labels: Labels
}) {
  return (
    <div className="table-wrap">
      <table className="table collapse" data-testid="channels-table">
        <thead>
          <tr>
            <th>Channel</th>
            <th>Consumer → Provider</th>
            <th className="num">Price</th>
            <th className="num">Consumer funds</th>
            <th className="num">Provider funds</th>
            <th>Phase</th>
            <th className="num" title="Active token id / token id in redemption">
              Token
            </th>
            <th>Deadlines</th>
          </tr>
        </thead>
        <tbody>
          {channels.map((c) => (
            <tr key={c.address} data-testid="channel-row" data-address={c.address} data-phase={c.phase}>
              <td data-label="Channel">
                <Link
                  href={`/channels/${c.address}`}
                  prefetch={false}
                  className="mono nowrap"
                  title={c.address}
                >
                  {shortAddress(c.address)}
                </Link>
              </td>
              <td data-label="Consumer → Provider">
                <span className="nowrap">
                  <AddressLink address={c.consumer} labels={labels} /> <span className="muted">→</span>
                </span>{' '}
                <span className="nowrap">
                  <AddressLink address={c.provider} labels={labels} />
                </span>
              </td>
              <td data-label="Price / request" className="num nowrap">
                {c.prices && c.prices.length > 1 ? (
                  // A v2 channel's categories: its cheapest active price, and how many there are.
                  <span data-testid="channel-price-range">
                    <span className="muted small">from </span>
                    <Amount wei={minOf(c.prices)} testId="channel-price" />
                    <span className="muted small"> · {c.prices.length} categories</span>
                  </span>
                ) : (
                  <Amount wei={c.costPerRequest} testId="channel-price" />
                )}
              </td>
              <td data-label="Consumer funds" className="num nowrap">
                <Amount wei={c.consumerFunds} testId="channel-consumer-funds" />
              </td>
              <td data-label="Provider funds" className="num nowrap">
                <Amount wei={c.providerFunds} testId="channel-provider-funds" />
              </td>
              <td data-label="Phase">
                <PhasePill phase={c.phase} />
              </td>
              <td data-label="Token" className="num nowrap" data-testid="channel-tokens">
                {c.activeTokenId === '0' ? '—' : `#${c.activeTokenId}`}
                {c.expiringTokenId !== '0' && (
                  <span className="muted small" title={`Token #${c.expiringTokenId} is being redeemed`}>
                    {' '}
                    (#{c.expiringTokenId} expiring)
                  </span>
                )}
              </td>
              <td data-label="Deadlines">
                <ChannelCountdowns channel={c} head={head} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** The smallest of decimal-string amounts (exact, as bigints). */
function minOf(values: readonly string[]): string {
  return values.reduce((a, b) => (BigInt(b) < BigInt(a) ? b : a))
}
