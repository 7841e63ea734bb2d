import type { Metadata } from 'next'
import '@/app/alerts/alerts.css'
import { BudgetBars } from '@/components/budgets/BudgetBars'
import { BudgetsAdmin } from '@/components/budgets/BudgetsAdmin'
import { DeliveryTable } from '@/components/budgets/DeliveryTable'
import { EmptyState } from '@/components/EmptyState'
import { LoadError } from '@/components/LoadError'
import { Section } from '@/components/Section'
import { UnitPicker } from '@/components/UnitPicker'
import { UnitProvider } from '@/components/UnitProvider'
import { formatUtc } from '@/lib/explorer/format'
import { budgetsOverview, listDeliveries } from '@/lib/server/budgets'
import { load } from '../_lib/load'
import { viewUnit } from '../_lib/unit'

export const metadata: Metadata = { title: 'Budgets and alerts' }

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> }

/**
 * Budgets and alerts: each budget's spend and forecast this period, the webhooks and alert
 * rules (edited by an admin), and the alert history, one row per delivery.
 */
export default async function AlertsPage({ searchParams }: Props) {
  const sp = await searchParams
  const result = await load(async (ctx) => ({
    overview: await budgetsOverview(ctx),
    deliveries: await listDeliveries(ctx),
  }))
  if (!result.ok) {
    return (
      <>
        <h1 className="page-title">Budgets and alerts</h1>
        <LoadError error={result.error} what="the budgets" retryHref="/alerts" />
      </>
    )
  }
  const { overview, deliveries } = result.value
  const unit = await viewUnit({
    path: '/alerts',
    searchParams: sp,
    amounts: overview.budgets.flatMap((b) => [b.amount, b.spent, b.forecast]),
  })
  return (
    <UnitProvider value={unit.value}>
      <div className="title-row">
        <h1 className="page-title">Budgets and alerts</h1>
        <UnitPicker links={unit.links} auto={unit.auto} />
        <a href="/costs" className="button button-quiet">
          Costs
        </a>
      </div>
      <p className="page-lead">
        What each team and service may spend per month or week, what it spent, where it is heading, and the
        alerts sent when a budget, a channel's runway or a pair's spend crosses a line. One alert per
        crossing, sent by the instance that runs the Payment Server's background work.
      </p>
      <Section
        title="Budgets"
        aside={overview.budgets.length > 0 ? `as of ${formatUtc(overview.asOf, 'minute')}` : undefined}
        testId="budgets"
      >
        {overview.budgets.length === 0 ? (
          <EmptyState title="No budgets yet">
            Set one below: a team's or a service's spend per month or week.
          </EmptyState>
        ) : (
          <BudgetBars budgets={overview.budgets} />
        )}
      </Section>
      <Section
        title="Alert history"
        aside={deliveries.length > 0 ? String(deliveries.length) : undefined}
        testId="history"
      >
        {deliveries.length === 0 ? (
          <EmptyState title="No alerts sent yet">
            An alert appears here when a rule's line is crossed.
          </EmptyState>
        ) : (
          <DeliveryTable deliveries={deliveries} />
        )}
      </Section>
      <Section title="Configure" testId="configure">
        <BudgetsAdmin budgets={overview.budgets} webhooks={overview.webhooks} rules={overview.rules} />
      </Section>
    </UnitProvider>
  )
}
