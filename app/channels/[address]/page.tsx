import type { Metadata } from 'next'
import { AddressLink } from '@/components/AddressLink'
import { Amount } from '@/components/Amount'
import { ChannelActions } from '@/components/admin/ChannelActions'
import { ChannelPriceChange } from '@/components/admin/ChannelPriceChange'
import { BlockLink } from '@/components/BlockLink'
import { BlockTime } from '@/components/BlockTime'
import { ChannelPriceTable, PriceHistory } from '@/components/ChannelPricing'
import { Countdown } from '@/components/Countdown'
import { CsvDownload } from '@/components/CsvDownload'
import { EmptyState } from '@/components/EmptyState'
import { EventTimeline } from '@/components/EventTimeline'
import { Field, Fields } from '@/components/Fields'
import { HashLink } from '@/components/HashLink'
import { LoadError } from '@/components/LoadError'
import { PhasePill } from '@/components/PhasePill'
import { Section } from '@/components/Section'
import { TxTable } from '@/components/TxTable'
import { UnitPicker } from '@/components/UnitPicker'
import { UnitProvider } from '@/components/UnitProvider'
import { priceInputs } from '@/lib/admin/pricing'
import type { ChannelDetail, Countdown as CountdownValue } from '@/lib/explorer/api'
import { formatDuration, formatNumber, formatUtc, shortAddress, unixToIso } from '@/lib/explorer/format'
import { channelSpendingNow } from '@/lib/server/admin'
import { getChannel } from '@/lib/server/explorer'
import { load } from '../../_lib/load'
import { viewUnit } from '../../_lib/unit'

type Props = {
  params: Promise<{ address: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Channel ${shortAddress((await params).address)}` }
}

/** One channel: its state, the countdowns to its deadlines, its events and its transactions. */
export default async function ChannelPage({ params, searchParams }: Props) {
  const { address } = await params
  const result = await load((ctx) => getChannel(ctx, address))
  if (!result.ok) {
    return (
      <>
        <h1 className="page-title">Channel</h1>
        <p className="subtitle">{address}</p>
        <LoadError error={result.error} what="this channel" retryHref={`/channels/${address}`} />
      </>
    )
  }
  const { channel: c, pricing, head, countdowns, events, transactions, labels } = result.value
  // A v2 channel's pending table and request mix: what a price change does to the runway.
  const spending = pricing ? await load((ctx) => channelSpendingNow(ctx, c.address)) : null
  // One unit for the view's amounts, read best by its largest (or the user's pick).
  const unit = await viewUnit({
    path: `/channels/${c.address}`,
    searchParams: await searchParams,
    amounts: [c.costPerRequest, ...(c.prices ?? []), c.consumerFunds, c.providerFunds, c.totalDeposited],
  })
  return (
    <UnitProvider value={unit.value}>
      <div className="title-row">
        <h1 className="page-title">Channel</h1>
        <PhasePill phase={c.phase} />
        <UnitPicker links={unit.links} auto={unit.auto} />
      </div>
      <p className="subtitle" data-testid="channel-address">
        {c.address}
      </p>
      <p className="page-lead">
        <AddressLink address={c.consumer} labels={labels} /> pays{' '}
        <AddressLink address={c.provider} labels={labels} />{' '}
        {pricing ? (
          <>
            per request at its category's price ({pricing.categories.length}{' '}
            {pricing.categories.length === 1 ? 'category' : 'categories'}, a version 2 channel: see{' '}
            <a href="#prices">Prices</a>).{' '}
          </>
        ) : (
          <>
            <Amount wei={c.costPerRequest} /> per request.{' '}
          </>
        )}
        <a href={`/address/${c.address}`}>Balance and nonce of the contract →</a>
      </p>
      <div className="grid countdowns">
        <CountdownCard
          title="Redemption can complete"
          value={countdowns.redeemable}
          head={head}
          none={c.expiringTokenId === '0' ? 'No redemption pending.' : 'Unknown.'}
          testId="countdown-redeemable"
        />
        <CountdownCard
          title="Consumer may terminate"
          value={countdowns.termination}
          head={head}
          none={c.terminated ? 'Terminated.' : 'Termination not announced.'}
          testId="countdown-termination"
        />
      </div>
      <Section title="Actions" aside="with your wallet" testId="channel-actions-section">
        <ChannelActions summary={c} pricing={pricing} blockTimeSeconds={head.blockTimeSeconds} />
      </Section>
      <Section title="State" testId="channel-state">
        <ChannelFields detail={result.value} />
      </Section>
      {pricing && (
        <>
          <div id="prices">
            <Section
              title="Prices"
              aside="of the active token ID, by request category"
              testId="channel-prices"
            >
              <ChannelPriceTable pricing={pricing} labels={labels} />
            </Section>
          </div>
          <Section title="Price change" aside="and what it does to the runway" testId="channel-price-change">
            {spending?.ok === false ? (
              <LoadError
                error={spending.error}
                what="the price change"
                retryHref={`/channels/${c.address}`}
              />
            ) : spending?.value ? (
              <ChannelPriceChange inputs={priceInputs({ channel: c, pricing, spending: spending.value })} />
            ) : null}
          </Section>
          <Section
            title="Price history"
            aside={`${pricing.history.length} price tables, newest first`}
            testId="channel-price-history-section"
          >
            <PriceHistory pricing={pricing} />
          </Section>
        </>
      )}
      <Section
        title="Timeline"
        aside={
          <>
            {events.length} events, newest first ·{' '}
            <CsvDownload href={`/api/channels/${c.address}/events.csv`} testId="channel-csv" />
          </>
        }
        testId="channel-events"
      >
        {events.length === 0 ? (
          <EmptyState title="No events indexed for this channel yet." />
        ) : (
          <EventTimeline
            events={events}
            labels={labels}
            categories={pricing?.categories.map((x) => x.name)}
          />
        )}
      </Section>
      <Section title="Transactions" testId="channel-transactions">
        {transactions.length === 0 ? (
          <EmptyState title="No indexed transactions about this channel yet." />
        ) : (
          <TxTable transactions={transactions} labels={labels} />
        )}
      </Section>
    </UnitProvider>
  )
}

function CountdownCard({
  title,
  value,
  head,
  none,
  testId,
}: {
  title: string
  value: CountdownValue | null
  head: ChannelDetail['head']
  none: string
  testId: string
}) {
  return (
    <section className="card">
      <p className="card-label">{title}</p>
      {value ? (
        <>
          <p className="card-value">
            <Countdown
              at={value.at}
              secondsLeft={value.secondsLeft}
              blockTimeSeconds={head.blockTimeSeconds}
              due={value.due}
              compact
              testId={testId}
            />
          </p>
          <p className="card-sub">
            at {formatUtc(value.at)}
            {value.blocksLeft !== null &&
              !value.due &&
              ` · ${formatNumber(value.blocksLeft)} blocks at the recent pace`}
          </p>
        </>
      ) : (
        <p className="card-sub" data-testid={testId} data-due="none">
          {none}
        </p>
      )}
    </section>
  )
}

/** Every field of the channel's summary, amounts with their units. */
function ChannelFields({ detail }: { detail: ChannelDetail }) {
  const { channel: c, labels } = detail
  const time = (unix: string, none: string) =>
    unix === '0' ? <span className="muted">{none}</span> : formatUtc(unixToIso(unix))
  const token = (id: string) => (id === '0' ? <span className="muted">none</span> : `#${id}`)
  return (
    <Fields testId="channel-fields">
      <Field label="Phase">
        <PhasePill phase={c.phase} testId="channel-phase-field" />
      </Field>
      <Field label="Consumer" testId="channel-consumer">
        <AddressLink address={c.consumer} labels={labels} full />
      </Field>
      <Field label="Provider" testId="channel-provider">
        <AddressLink address={c.provider} labels={labels} full />
      </Field>
      <Field label="Contract version" testId="channel-version">
        {c.contractVersion === '2' ? '2 (request categories, a price table per token ID)' : '1'}
      </Field>
      <Field label={detail.pricing ? 'Price per request, first category' : 'Price per request'}>
        <Amount wei={c.costPerRequest} testId="channel-price" />
      </Field>
      <Field label="Consumer funds">
        <Amount wei={c.consumerFunds} testId="channel-consumer-funds" />
      </Field>
      <Field label="Provider funds">
        <Amount wei={c.providerFunds} testId="channel-provider-funds" />
        <span className="muted small"> redeemed, not withdrawn</span>
      </Field>
      <Field label="Active token" testId="channel-active-token">
        {token(c.activeTokenId)}
      </Field>
      <Field label="Expiring token" testId="channel-expiring-token">
        {token(c.expiringTokenId)}
      </Field>
      <Field label="Last token id" testId="channel-last-token">
        {token(c.lastTokenId)}
      </Field>
      <Field label="Redeemable at" testId="channel-redeemable-at">
        {time(c.redeemableAt, 'no redemption pending')}
      </Field>
      <Field label="Terminates at" testId="channel-terminates-at">
        {time(c.terminatesAt, 'not announced')}
      </Field>
      <Field label="Terminated" testId="channel-terminated">
        {c.terminated ? (
          <>
            yes
            {c.terminatedBy && (
              <>
                , by <AddressLink address={c.terminatedBy} labels={labels} />
              </>
            )}
          </>
        ) : (
          'no'
        )}
      </Field>
      <Field label="Redemption timeout">
        {formatDuration(Number(c.redemptionTimeout))}{' '}
        <span className="muted">({formatNumber(c.redemptionTimeout)} s)</span>
      </Field>
      <Field label="Termination timeout">
        {formatDuration(Number(c.terminationTimeout))}{' '}
        <span className="muted">({formatNumber(c.terminationTimeout)} s)</span>
      </Field>
      <Field label="Deposited in all">
        <Amount wei={c.totalDeposited} testId="channel-total-deposited" />
      </Field>
      <Field label="Redeemed in all">
        <Amount wei={c.totalRedeemed} testId="channel-total-redeemed" />
        <span className="muted small">
          {' '}
          in {formatNumber(c.redemptions)} redemptions for {formatNumber(c.totalRequests)} requests
        </span>
      </Field>
      <Field label="Withdrawn in all">
        <Amount wei={c.totalWithdrawn} testId="channel-total-withdrawn" />
      </Field>
      <Field label="Opened" testId="channel-opened">
        <BlockLink number={c.openedBlock} /> · <HashLink kind="tx" hash={c.openedTx} /> ·{' '}
        <BlockTime iso={c.openedAt} />
      </Field>
      <Field label="Latest event">
        <BlockLink number={c.lastEventBlock} />
      </Field>
    </Fields>
  )
}
