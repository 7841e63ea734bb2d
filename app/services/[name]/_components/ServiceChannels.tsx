import { Amount } from '@/components/Amount'
import { CategoryPrices } from '@/components/costs/CategoryPrices'
import { PriceHistory } from '@/components/costs/PriceHistory'
import { Runway } from '@/components/costs/Runway'
import { Section } from '@/components/Section'
import { UnitName } from '@/components/UnitProvider'
import type { ServiceChannel } from '@/lib/costs/api'
import { shortAddress } from '@/lib/explorer/format'

/**
 * A service's channels with their runway, and the price history of each version 2 channel it
 * pays or is paid by. `serviceHref` links a counterparty to its own page (keeping the window).
 */
export function ServiceChannels({
  channels,
  serviceHref,
}: {
  channels: readonly ServiceChannel[]
  serviceHref: (address: string, name: string | null) => string
}) {
  const priced = channels.filter((c) => c.priceHistory !== undefined)
  const counterparty = (c: ServiceChannel) => (
    <a href={serviceHref(c.counterparty, c.counterpartyName)}>
      {c.counterpartyName ?? shortAddress(c.counterparty)}
    </a>
  )
  return (
    <>
      <Section
        title="Channels"
        aside="runway = (funds − pending) ÷ value redeemed per hour over the last 24 h"
      >
        {channels.length === 0 ? (
          <p className="muted">No channels.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="service-channels">
              <thead>
                <tr>
                  <th scope="col">Channel</th>
                  <th scope="col">Role</th>
                  <th scope="col">With</th>
                  <th scope="col" className="num">
                    Price <UnitName />
                  </th>
                  <th scope="col" className="num">
                    Consumer funds <UnitName />
                  </th>
                  <th scope="col" className="num">
                    Pending <UnitName /> <span className="pending-tag">off chain</span>
                  </th>
                  <th scope="col" className="num">
                    Spend per hour <UnitName />
                  </th>
                  <th scope="col" title="How long the consumer's funds last at the recent spend">
                    Runway
                  </th>
                </tr>
              </thead>
              <tbody>
                {channels.map((c) => (
                  <tr key={c.address} data-testid="service-channel" data-address={c.address}>
                    <td>
                      <a className="mono" href={`/channels/${c.address}`}>
                        {shortAddress(c.address)}
                      </a>
                    </td>
                    <td>{c.role === 'consumer' ? 'pays' : 'is paid'}</td>
                    <td>{counterparty(c)}</td>
                    <td className="num">
                      {c.prices && c.prices.length > 1 ? (
                        <CategoryPrices prices={c.prices} />
                      ) : (
                        <Amount wei={c.price} bare />
                      )}
                    </td>
                    <td className="num">
                      <Amount wei={c.consumerFunds} bare />
                    </td>
                    <td className="num pending-cell">
                      <Amount wei={c.pending} bare />
                    </td>
                    <td className="num">
                      <Amount wei={c.burnPerHour} bare />
                    </td>
                    <td>
                      <Runway channel={c} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {priced.length > 0 && (
        <Section
          title="Price history"
          testId="price-histories"
          aside="version 2 channels: each price table announced on chain, over the channel's whole life"
        >
          <p className="muted small">
            A provider may announce new prices when it starts a redemption; they apply from the next token ID
            on, so every request was bought at the table of its token ID. Requests bought are the counts
            redeemed on chain.
          </p>
          {priced.map((c) => (
            <div
              key={c.address}
              className="price-history"
              data-testid="channel-price-history"
              data-channel={c.address}
            >
              <h3 className="price-history-title">
                <a className="mono" href={`/channels/${c.address}`}>
                  {shortAddress(c.address)}
                </a>{' '}
                {c.role === 'consumer' ? 'pays' : 'is paid by'} {counterparty(c)}
              </h3>
              <PriceHistory channel={c.address} history={c.priceHistory ?? []} />
            </div>
          ))}
        </Section>
      )}
    </>
  )
}
