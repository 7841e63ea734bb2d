import type { Metadata } from 'next'
import Link from 'next/link'
import { Amount } from '@/components/Amount'
import { ChannelsTable } from '@/components/ChannelsTable'
import { CsvDownload } from '@/components/CsvDownload'
import { EmptyState } from '@/components/EmptyState'
import { Field, Fields } from '@/components/Fields'
import { LoadError } from '@/components/LoadError'
import { Pagination, readPageParams } from '@/components/Pagination'
import { PhasePill } from '@/components/PhasePill'
import { Section } from '@/components/Section'
import { TxTable } from '@/components/TxTable'
import { UnitPicker } from '@/components/UnitPicker'
import { UnitProvider } from '@/components/UnitProvider'
import { formatNumber, plural, shortAddress } from '@/lib/explorer/format'
import { getAddress } from '@/lib/server/explorer'
import { load } from '../../_lib/load'
import { viewUnit } from '../../_lib/unit'

type Props = {
  params: Promise<{ address: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Address ${shortAddress((await params).address)}` }
}

/** One address: label, kind, balance, nonce, the channel it is, its channels and its transactions. */
export default async function AddressPage({ params, searchParams }: Props) {
  const { address } = await params
  const sp = await searchParams
  const page = readPageParams(sp)
  const result = await load((ctx) => getAddress(ctx, address, { cursor: page.cursor }))
  if (!result.ok) {
    return (
      <>
        <h1 className="page-title">Address</h1>
        <p className="subtitle">{address}</p>
        <LoadError error={result.error} what="this address" retryHref={`/address/${address}`} />
      </>
    )
  }
  const a = result.value
  const basePath = `/address/${a.address}`
  // One unit for the view's amounts, read best by the balance (or the user's pick).
  const unit = await viewUnit({ path: basePath, searchParams: sp, amounts: [a.balance] })
  return (
    <UnitProvider value={unit.value}>
      <div className="title-row">
        <h1 className="page-title" data-testid="address-title">
          {a.label?.name ?? (a.kind === 'contract' ? 'Contract' : 'Account')}
        </h1>
        {a.label?.team && <span className="chip">{a.label.team}</span>}
        <UnitPicker links={unit.links} auto={unit.auto} />
      </div>
      <p className="subtitle" data-testid="address-address">
        {a.address}
      </p>
      {a.channel && (
        <div className="box" data-testid="address-channel">
          <p className="box-title">
            This address is a payment channel <PhasePill phase={a.channel.phase} />
          </p>
          <p>
            <Link href={`/channels/${a.address}`} data-testid="address-channel-link">
              Its state, countdowns and timeline →
            </Link>
          </p>
        </div>
      )}
      <Fields testId="address-fields">
        <Field label="Label" testId="address-label">
          {a.label ? (
            <>
              {a.label.name} <span className="muted">({a.label.kind})</span>
            </>
          ) : (
            <span className="muted">none</span>
          )}
        </Field>
        <Field label="Kind" testId="address-kind">
          {a.kind ?? <span className="muted">unknown (the node does not answer)</span>}
        </Field>
        <Field label="Balance" testId="address-balance">
          <Amount wei={a.balance} />
        </Field>
        <Field label="Nonce" testId="address-nonce">
          {a.nonce === null ? '—' : formatNumber(a.nonce)}
        </Field>
      </Fields>
      <Section title="Channels" aside="as consumer or provider" testId="address-channels">
        {a.channels.length === 0 ? (
          <EmptyState title="No channels: this address is neither consumer nor provider of one." />
        ) : (
          <ChannelsTable channels={a.channels} head={a.head} labels={a.labels} />
        )}
      </Section>
      <Section
        title="Transactions"
        aside={
          a.transactions.length > 0 ? (
            <>
              {plural(String(a.transactions.length), 'transaction')} on this page ·{' '}
              <CsvDownload href={`/api/address/${a.address}/transactions.csv`} testId="address-csv" />
            </>
          ) : undefined
        }
        testId="address-transactions"
      >
        {a.transactions.length === 0 ? (
          <EmptyState title={page.cursor ? 'No older transactions.' : 'No indexed transactions yet.'}>
            Transactions from, to or about this address appear once they are indexed.
          </EmptyState>
        ) : (
          <TxTable transactions={a.transactions} labels={a.labels} />
        )}
        <Pagination basePath={basePath} page={page} nextCursor={a.nextCursor} />
      </Section>
    </UnitProvider>
  )
}
