import type { Metadata } from 'next'
import { Fragment } from 'react'
import { Amount } from '@/components/Amount'
import { AttributionBasis } from '@/components/costs/AttributionBasis'
import { CategoryRows } from '@/components/costs/CategoryRows'
import { LabelEditor } from '@/components/costs/LabelEditor'
import { TracingCaveat } from '@/components/costs/TracingCaveat'
import { WindowPicker } from '@/components/costs/WindowPicker'
import { LoadError } from '@/components/LoadError'
import { firstParam } from '@/components/Pagination'
import { Section } from '@/components/Section'
import { UnitPicker } from '@/components/UnitPicker'
import { UnitName, UnitProvider } from '@/components/UnitProvider'
import { windowFromView, windowQueryOf, windowSearch } from '@/lib/costs/window'
import { formatNumber, plural, shortAddress } from '@/lib/explorer/format'
import { serviceCosts } from '@/lib/server/costs'
import { load } from '../../_lib/load'
import { pageSegment } from '../../_lib/segment'
import { viewUnit } from '../../_lib/unit'
import { BudgetsSection } from '../../alerts/_components/BudgetsSection'
import { ServiceChannels } from './_components/ServiceChannels'
import { ServiceComparison } from './_components/ServiceComparison'
import { ServiceOverhead } from './_components/ServiceOverhead'

type Props = {
  params: Promise<{ name: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Service ${pageSegment((await params).name)}` }
}

const percent = (approx: number) =>
  `${(approx * 100).toFixed(approx * 100 >= 10 ? 1 : 2).replace(/\.0+$/, '')} %`

/**
 * A service: what it pays, earns and nets in the window; its fully loaded cost (its own spend
 * plus its share of what the services it calls pay downstream), explained; the services it
 * pays and that pay it; its channels with their runway; and its label, editable.
 */
export default async function ServicePage({ params, searchParams }: Props) {
  const name = pageSegment((await params).name)
  const sp = await searchParams
  const query = windowQueryOf((name) => firstParam(sp[name]))
  const result = await load((ctx) => serviceCosts(ctx, name, query, 'previous'))
  if (!result.ok) {
    return (
      <>
        <h1 className="page-title">Service {name}</h1>
        <LoadError
          error={result.error}
          what="this service"
          retryHref={`/services/${encodeURIComponent(name)}`}
        />
      </>
    )
  }
  const s = result.value
  const node = s.service
  const window = windowFromView(s.window)
  const search = windowSearch(window)
  const serviceLink = (address: string, label: string | null) => (
    <a href={`/services/${encodeURIComponent(label ?? address)}?${search}`}>
      {label ?? shortAddress(address)}
    </a>
  )
  const basePath = `/services/${encodeURIComponent(node.name ?? node.address)}`
  const short = s.channels.filter((c) => c.runwaySeconds !== null && c.runwaySeconds < 86_400)
  // One unit for the whole view, read best by its largest amount (or the user's pick).
  const unit = await viewUnit({
    path: basePath,
    searchParams: sp,
    amounts: [
      node.paid,
      node.earned,
      s.loaded.total,
      ...s.loaded.parts.map((p) => p.ownSpend),
      ...s.channels.flatMap((c) => [c.consumerFunds, c.pending, c.burnPerHour]),
      s.comparison?.paid.previous,
      s.comparison?.earned.previous,
    ],
  })

  return (
    <UnitProvider value={unit.value}>
      <div className="title-row">
        <h1 className="page-title" data-testid="service-name">
          {node.name ?? shortAddress(node.address)}
          {node.team && (
            <span className="chip" data-testid="service-team">
              {node.team}
            </span>
          )}
        </h1>
        <UnitPicker links={unit.links} auto={unit.auto} />
        <a
          href={`/costs?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(search)), ...unit.keep })}`}
          className="button button-quiet"
        >
          Cost graph
        </a>
      </div>
      <p className="page-lead">
        Account{' '}
        <a href={`/address/${node.address}`} className="mono">
          {node.address}
        </a>
        {!node.name && ' has no label yet: add one below.'}
      </p>
      <WindowPicker basePath={basePath} window={window} keep={unit.keep} />
      {short.length > 0 && (
        <p className="notice" data-testid="runway-warning">
          {short.length === 1 ? 'A channel' : `${short.length} channels`} of this service will run out of
          funds within 24 hours at the recent rate. Deposit more, or let auto-funding do it.
        </p>
      )}
      <div className="grid">
        <SettledCard
          label="Pays"
          testId="service-paid"
          wei={node.paid}
          requests={node.requestsMade}
          pending={node.pendingPaid}
        />
        <SettledCard
          label="Earns"
          testId="service-earned"
          wei={node.earned}
          requests={node.requestsServed}
          pending={node.pendingEarned}
        />
        <section className="card">
          <p className="card-label">Net</p>
          <p className="card-value" data-testid="service-net">
            <Amount wei={node.net} />
          </p>
          <p className="card-sub">earned − paid, settled</p>
        </section>
        <section className="card">
          <p className="card-label">Fully loaded cost</p>
          <p className="card-value" data-testid="service-loaded">
            <Amount wei={s.loaded.total} />
          </p>
          <p className="card-sub">
            own <Amount wei={s.loaded.own} /> + downstream <Amount wei={s.loaded.attributed} />
          </p>
        </section>
      </div>

      <ServiceComparison costs={s} />

      <Section title="Fully loaded cost" testId="loaded-section">
        <div className="method-note">
          <p>
            <strong>How it is computed.</strong> A service's own spend is what it paid its providers in the
            window (settled on chain). The services it calls pay providers of their own to answer; this
            service carries the part of that spend its requests caused, estimated by its share of each called
            service's incoming requests in the window. Shares multiply along the graph: if it sends 3/4 of
            Charlie's requests and Charlie sends 1/2 of Dave's, it carries 3/4 of Charlie's spend and 3/8 of
            Dave's.
          </p>
          <p className="muted small">
            In a cycle, a service's spend is counted at most once and a path back to this service stops there,
            so the cost stays finite. Figures are exact fractions of wei, rounded down only for display.
            Pending amounts are not included.
          </p>
          <TracingCaveat />
        </div>
        <div className="table-wrap">
          <table className="table" data-testid="loaded-table">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col" className="num">
                  Its own spend <UnitName />
                </th>
                <th scope="col" className="num">
                  Share carried
                </th>
                <th scope="col" className="num">
                  Attributed <UnitName />
                </th>
                <th scope="col">How</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>{node.name ?? shortAddress(node.address)} (itself)</td>
                <td className="num">
                  <Amount wei={s.loaded.own} bare />
                </td>
                <td className="num">100 %</td>
                <td className="num">
                  <Amount wei={s.loaded.own} bare />
                </td>
                <td>paid itself (settled)</td>
              </tr>
              {s.loaded.parts.map((p) => (
                <tr key={p.service} data-testid="loaded-part" data-service={p.name ?? p.service}>
                  <td>{serviceLink(p.service, p.name)}</td>
                  <td className="num">
                    <Amount wei={p.ownSpend} bare />
                  </td>
                  <td
                    className="num"
                    title={`${p.share.num}/${p.share.den}`}
                    data-share={`${p.share.num}/${p.share.den}`}
                  >
                    {percent(p.share.approx)}
                  </td>
                  <td className="num">
                    <Amount wei={p.attributed} bare />
                  </td>
                  <td>
                    <AttributionBasis basis={p.basis} traced={p.traced} />
                  </td>
                </tr>
              ))}
              <tr className="total-row">
                <td>Fully loaded</td>
                <td />
                <td />
                <td className="num" data-testid="loaded-total">
                  <Amount wei={s.loaded.total} bare />
                </td>
                <td />
              </tr>
            </tbody>
          </table>
        </div>
      </Section>

      <div className="columns">
        <Section title="It pays" aside={plural(BigInt(s.loaded.direct.length), 'provider')}>
          {s.loaded.direct.length === 0 ? (
            <p className="muted">It paid nobody in this window.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="pays-table">
                <thead>
                  <tr>
                    <th scope="col">Provider</th>
                    <th scope="col" className="num">
                      Requests
                    </th>
                    <th scope="col" className="num">
                      Paid <UnitName />
                    </th>
                    <th scope="col" className="num">
                      Share of its requests
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {s.loaded.direct.map((d) => (
                    <Fragment key={d.provider}>
                      <tr>
                        <td>{serviceLink(d.provider, d.name)}</td>
                        <td className="num">{formatNumber(d.requests)}</td>
                        <td className="num">
                          <Amount wei={d.amount} bare />
                        </td>
                        <td className="num" title={`${d.shareOfIncoming.num}/${d.shareOfIncoming.den}`}>
                          {percent(d.shareOfIncoming.approx)}
                        </td>
                      </tr>
                      <CategoryRows categories={d.categories} trailing={1} testId="pays-category" />
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
        <Section title="It is paid by" aside={plural(BigInt(s.callers.length), 'consumer')}>
          {s.callers.length === 0 ? (
            <p className="muted">Nobody paid it in this window.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="callers-table">
                <thead>
                  <tr>
                    <th scope="col">Consumer</th>
                    <th scope="col" className="num">
                      Requests
                    </th>
                    <th scope="col" className="num">
                      Paid to it <UnitName />
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {s.callers.map((c) => (
                    <Fragment key={c.consumer}>
                      <tr>
                        <td>{serviceLink(c.consumer, c.name)}</td>
                        <td className="num">{formatNumber(c.requests)}</td>
                        <td className="num">
                          <Amount wei={c.amount} bare />
                        </td>
                      </tr>
                      <CategoryRows categories={c.categories} testId="callers-category" />
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      </div>

      <BudgetsSection service={node.name} team={node.team} />
      <ServiceOverhead address={node.address} query={query} />

      <ServiceChannels
        channels={s.channels}
        serviceHref={(address, label) => `/services/${encodeURIComponent(label ?? address)}?${search}`}
      />

      <Section title="Label" aside={s.version > 0 ? `version ${s.version}` : 'none yet'}>
        <LabelEditor
          address={node.address}
          name={node.name ?? ''}
          team={node.team ?? ''}
          version={s.version}
          openAfterSave
        />
      </Section>
    </UnitProvider>
  )
}

/** A settled amount with its request count and, when there is some, the pending amount beside it. */
function SettledCard(p: {
  label: string
  testId: string
  wei: string
  requests: string
  pending: string | null
}) {
  return (
    <section className="card">
      <p className="card-label">{p.label}</p>
      <p className="card-value" data-testid={p.testId}>
        <Amount wei={p.wei} />
      </p>
      <p className="card-sub">
        settled for {formatNumber(p.requests)} requests
        {p.pending !== null && BigInt(p.pending) > 0n && (
          <>
            {' '}
            ·{' '}
            <span className="pending-text">
              +<Amount wei={p.pending} /> pending
            </span>
          </>
        )}
      </p>
    </section>
  )
}
