import type { Metadata } from 'next'
import { Amount } from '@/components/Amount'
import { Comparison } from '@/components/costs/Comparison'
import { FlowSankey, type PairBar, SpendOverTime, TopPairs } from '@/components/costs/CostCharts'
import { CostGraphView, type NodeSize, serviceHref } from '@/components/costs/CostGraphView'
import { CostTableView } from '@/components/costs/CostTableView'
import { OverheadSection } from '@/components/costs/OverheadSection'
import { Settlement } from '@/components/costs/Settlement'
import { WindowPicker } from '@/components/costs/WindowPicker'
import { EmptyState } from '@/components/EmptyState'
import { LoadError } from '@/components/LoadError'
import { rowLimit } from '@/components/MoreRows'
import { firstParam } from '@/components/Pagination'
import { Section } from '@/components/Section'
import { UnitPicker } from '@/components/UnitPicker'
import { UnitProvider } from '@/components/UnitProvider'
import type { CostGraph } from '@/lib/costs/api'
import { withOverheadColumns } from '@/lib/costs/overheadReport'
import { costTable, GROUP_BYS, type GroupBy } from '@/lib/costs/report'
import { windowFromView, windowLabel, windowQueryOf, windowSearch } from '@/lib/costs/window'
import { formatNumber, shortAddress } from '@/lib/explorer/format'
import { costOverhead, costOverview } from '@/lib/server/costs'
import { load } from '../_lib/load'
import { viewUnit } from '../_lib/unit'
import { BudgetsSection } from '../alerts/_components/BudgetsSection'

export const metadata: Metadata = { title: 'Costs' }

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> }

/** True when the settled pairs form no cycle (a Sankey cannot draw one). */
function acyclic(edges: CostGraph['edges']): boolean {
  const out = new Map<string, string[]>()
  for (const e of edges) out.set(e.consumer, [...(out.get(e.consumer) ?? []), e.provider])
  const state = new Map<string, number>()
  const visit = (n: string): boolean => {
    if (state.get(n) === 1) return false
    if (state.get(n) === 2) return true
    state.set(n, 1)
    for (const m of out.get(n) ?? []) if (!visit(m)) return false
    state.set(n, 2)
    return true
  }
  return [...out.keys()].every(visit)
}

/**
 * Costs, for managers: the service-dependency graph of who pays whom over a time window (kept
 * in the URL), spend over time, the top pairs, and tables of services, teams or pairs with
 * CSV export. Settled amounts are Redeemed events on chain; pending ones are tokens the
 * Payment Server accepted and nobody has redeemed yet.
 */
export default async function CostsPage({ searchParams }: Props) {
  const sp = await searchParams
  const query = windowQueryOf((name) => firstParam(sp[name]))
  const groupBy: GroupBy = GROUP_BYS.includes(firstParam(sp.groupBy) as GroupBy)
    ? (firstParam(sp.groupBy) as GroupBy)
    : 'service'
  const size: NodeSize = firstParam(sp.size) === 'earnings' ? 'earnings' : 'spend'
  // Tables show their first rows unless ?rows=all: a 1,000-service network's page stays light.
  const limit = rowLimit(firstParam(sp.rows))
  const [result, overheadResult] = await Promise.all([
    load((ctx) => costOverview(ctx, query)),
    load((ctx) => costOverhead(ctx, query)),
  ])
  if (!result.ok) {
    return (
      <>
        <h1 className="page-title">Costs</h1>
        <LoadError error={result.error} what="the costs" retryHref="/costs" />
      </>
    )
  }
  const { graph, series } = result.value
  const window = windowFromView(graph.window)
  const search = windowSearch(window)
  // One unit for the whole view, read best by its largest amount (or the user's pick).
  const unit = await viewUnit({
    path: '/costs',
    searchParams: sp,
    amounts: [
      graph.totals.settled,
      graph.totals.pending,
      graph.comparison?.settled,
      ...graph.nodes.flatMap((n) => [n.paid, n.earned]),
      ...graph.edges.flatMap((e) => [e.settled, e.pending]),
    ],
  })
  // Every link of the view keeps its window, grouping, size, unit and whether it shows all rows.
  const allRows: Record<string, string> = limit === Number.POSITIVE_INFINITY ? { rows: 'all' } : {}
  const here = (extra: Record<string, string>) =>
    `/costs?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(search)), groupBy, size, ...unit.keep, ...allRows, ...extra })}`
  const nameOf = new Map(graph.nodes.map((n) => [n.address, n.name ?? shortAddress(n.address)]))
  const pairs: PairBar[] = graph.edges.slice(0, 10).map((e) => ({
    label: `${nameOf.get(e.consumer)} → ${nameOf.get(e.provider)}`,
    settled: e.settled,
    pending: e.pending ?? '0',
  }))
  const settledEdges = graph.edges.filter((e) => BigInt(e.settled) > 0n)
  const flowNodes = [...new Set(settledEdges.flatMap((e) => [e.consumer, e.provider]))]
  const flow = acyclic(settledEdges)
    ? {
        nodes: flowNodes.map((a) => nameOf.get(a) ?? a),
        links: settledEdges.map((e) => ({
          source: flowNodes.indexOf(e.consumer),
          target: flowNodes.indexOf(e.provider),
          value: e.settled,
        })),
      }
    : null
  // With the gas each service or team paid (the overhead section's figures), as the CSV has them.
  const table = overheadResult.ok
    ? withOverheadColumns(costTable(graph, groupBy), groupBy, overheadResult.value)
    : costTable(graph, groupBy)
  const byAddress = new Map(graph.nodes.map((n) => [n.address, n]))

  return (
    <UnitProvider value={unit.value}>
      <div className="title-row">
        <h1 className="page-title">Costs</h1>
        <UnitPicker links={unit.links} auto={unit.auto} />
        <a href="/services" className="button button-quiet">
          Services and teams
        </a>
        <a href="/alerts" className="button button-quiet" data-testid="alerts-link">
          Budgets and alerts
        </a>
      </div>
      <p className="page-lead">
        Who pays whom for requests, over a time window. <strong>Settled</strong> amounts were redeemed on
        chain (final once {graph.asOf.finalityDepth} blocks deep);{' '}
        <strong className="pending-text">pending</strong> amounts are tokens the Payment Server accepted that
        nobody has redeemed yet.
      </p>
      <WindowPicker basePath="/costs" window={window} keep={{ groupBy, size, ...unit.keep }} />
      <p className="muted small" data-testid="as-of">
        {windowLabel(window)}
        {graph.asOf.block && <> · chain time of block #{graph.asOf.block}</>}
      </p>
      {graph.comparison && (
        <Comparison
          comparison={graph.comparison}
          nameOf={(address) => nameOf.get(address) ?? shortAddress(address)}
        />
      )}

      <BudgetsSection />

      <div className="grid">
        <section className="card">
          <p className="card-label">Settled</p>
          <p className="card-value" data-testid="total-settled">
            <Amount wei={graph.totals.settled} />
          </p>
          <p className="card-sub">
            <Settlement settled={graph.totals.settled} unconfirmed={graph.totals.unconfirmed} />
          </p>
        </section>
        <section className="card">
          <p className="card-label">Pending</p>
          <p className="card-value pending-text" data-testid="total-pending">
            <Amount wei={graph.totals.pending} />
          </p>
          <p className="card-sub">
            {graph.totals.pending === null
              ? 'only for windows that end now'
              : 'accepted off chain, not redeemed'}
          </p>
        </section>
        <section className="card">
          <p className="card-label">Requests paid</p>
          <p className="card-value" data-testid="total-requests">
            {formatNumber(graph.totals.requests)}
          </p>
          <p className="card-sub">in {formatNumber(String(graph.totals.redemptions))} redemptions</p>
        </section>
        <section className="card">
          <p className="card-label">Services</p>
          <p className="card-value" data-testid="total-services">
            {graph.totals.services}
          </p>
          <p className="card-sub">{graph.totals.channels} channels with traffic</p>
        </section>
      </div>

      {graph.nodes.length === 0 ? (
        <EmptyState title="No payments in this window.">
          Pick a longer window. Payments appear once a provider redeems tokens, or the Payment Server accepts
          them.
        </EmptyState>
      ) : (
        <>
          <Section
            title="Service graph"
            aside={
              <span className="segmented small">
                Size by{' '}
                <a href={here({ size: 'spend' })} aria-current={size === 'spend' ? 'page' : undefined}>
                  spend
                </a>
                <a href={here({ size: 'earnings' })} aria-current={size === 'earnings' ? 'page' : undefined}>
                  earnings
                </a>
              </span>
            }
          >
            <p className="legend small">
              <span className="legend-settled" /> settled on chain <span className="legend-pending" /> pending
              (accepted, not redeemed) · a service opens its page, an arrow its channel
            </p>
            <CostGraphView graph={graph} size={size} search={search} />
          </Section>
          <div className="columns">
            <Section title="Spend over time">
              <SpendOverTime series={series} />
            </Section>
            <Section title="Top pairs">
              <TopPairs pairs={pairs} />
            </Section>
          </div>
          {flow && flow.links.length > 1 && (
            <Section title="Money flows" aside="settled, consumer → provider">
              <FlowSankey flow={flow} />
            </Section>
          )}
        </>
      )}

      {overheadResult.ok ? (
        <OverheadSection
          overhead={overheadResult.value}
          search={search}
          limit={limit}
          allHref={here({ rows: 'all' })}
        />
      ) : (
        <LoadError error={overheadResult.error} what="the payment system's costs" retryHref="/costs" />
      )}

      <Section
        title="Table"
        testId="cost-table-section"
        aside={
          <span className="segmented small">
            {GROUP_BYS.map((g) => (
              <a
                key={g}
                href={here({ groupBy: g })}
                aria-current={groupBy === g ? 'page' : undefined}
                data-testid={`group-${g}`}
              >
                by {g}
              </a>
            ))}
            <a
              // With the previous window's figures beside each row, as the comparison above has them.
              href={`/api/costs/report.csv?${search}&groupBy=${groupBy}&unit=${unit.value.unit}${graph.comparison ? '&compare=previous' : ''}`}
              className="button button-quiet"
              data-testid="csv-link"
              download
              title={
                graph.comparison ? 'Each row with its figures in the window before and the change' : undefined
              }
            >
              Download CSV
            </a>
          </span>
        }
      >
        <CostTableView
          table={table}
          testId="cost-table"
          limit={limit}
          allHref={here({ rows: 'all' })}
          noun={`${groupBy}s`}
          linkOf={
            groupBy === 'service'
              ? (row) => {
                  const node = byAddress.get(row.address ?? '')
                  return node ? serviceHref(node, search) : null
                }
              : undefined
          }
        />
        {groupBy === 'team' && (
          <p className="muted small">A team's totals include payments between its own services.</p>
        )}
      </Section>
    </UnitProvider>
  )
}
