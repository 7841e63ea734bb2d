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
      <table className="table" data-testid="channels-table">
        <thead>
          <tr>
            <th>Channel</th>
            <th>Consumer → Provider</th>
            <th className="num">Price / request</th>
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
              <td>
                <AddressLink address={c.address} labels={{ [c.address]: channelLabel(c, labels) }} />
              </td>
              <td className="nowrap">
                <AddressLink address={c.consumer} labels={labels} /> <span className="muted">→</span>{' '}
                <AddressLink address={c.provider} labels={labels} />
              </td>
              <td className="num nowrap">
                <Amount wei={c.costPerRequest} testId="channel-price" />
              </td>
              <td className="num nowrap">
                <Amount wei={c.consumerFunds} testId="channel-consumer-funds" />
              </td>
              <td className="num nowrap">
                <Amount wei={c.providerFunds} testId="channel-provider-funds" />
              </td>
              <td>
                <PhasePill phase={c.phase} />
              </td>
              <td className="num nowrap" data-testid="channel-tokens">
                {c.activeTokenId === '0' ? '—' : `#${c.activeTokenId}`}
                {c.expiringTokenId !== '0' && <span className="muted"> / #{c.expiringTokenId} expiring</span>}
              </td>
              <td>
                <ChannelCountdowns channel={c} head={head} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** The channel's own label when the answer has one; a short address link otherwise, still to /channels. */
function channelLabel(c: ChannelSummary, labels: Labels) {
  return (
    labels[c.address] ?? {
      address: c.address,
      name: shortAddress(c.address),
      kind: 'channel' as const,
      team: null,
    }
  )
}
