import { BudgetBars } from '@/components/budgets/BudgetBars'
import { Section } from '@/components/Section'
import { isAppError } from '@/lib/errors'
import { budgetStatuses } from '@/lib/server/budgets'
import { serverContext } from '@/lib/server/context'

/**
 * The budgets' spend against budget and forecast, on /costs (all of them) and a service page
 * (the service's own and its team's), linking the budgets and alerts page. A read that fails
 * says so in one line: the page around it still shows its own figures.
 */
export async function BudgetsSection({ service, team }: { service?: string | null; team?: string | null }) {
  const scoped = service !== undefined || team !== undefined
  let budgets: Awaited<ReturnType<typeof budgetStatuses>>['budgets']
  try {
    budgets = (await budgetStatuses(serverContext())).budgets
  } catch (error) {
    if (!isAppError(error)) throw error
    return (
      <Section title="Budgets" testId="budgets">
        <p className="muted small">Budgets cannot be read now: {error.message}</p>
      </Section>
    )
  }
  const shown = scoped
    ? budgets.filter((b) => (b.scope === 'service' ? b.target === service : b.target === team))
    : budgets
  if (scoped && shown.length === 0) return null
  return (
    <Section title="Budgets" aside={<a href="/alerts">Budgets and alerts →</a>} testId="budgets">
      {shown.length === 0 ? (
        <p className="muted small">
          No budgets yet. <a href="/alerts">Set one</a> for a team or a service, with alerts to Slack or any
          webhook.
        </p>
      ) : (
        <BudgetBars budgets={shown} />
      )}
    </Section>
  )
}
