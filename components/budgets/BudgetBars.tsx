import type { BudgetStatus } from '@/lib/budgets/api'
import '@/app/alerts/alerts.css'
import { formatUtc } from '@/lib/explorer/format'
import { Amount } from '../Amount'

/**
 * Budgets against what was paid this period: a bar per budget (spent, and the forecast's end
 * as a mark), the amounts, and the forecast, which is linear on the period so far.
 */
export function BudgetBars({ budgets }: { budgets: BudgetStatus[] }) {
  return (
    <div className="budget-bars">
      <ul className="budget-list">
        {budgets.map((b) => (
          <li
            key={b.id}
            className="budget-item"
            data-testid="budget"
            data-target={b.target}
            data-period={b.period}
          >
            <div className="budget-head">
              <span>
                <strong>{b.target}</strong>{' '}
                <span className="muted">
                  ({b.scope}) · {b.period} {b.periodKey}
                </span>
              </span>
              <span
                className={b.percentSpent >= 100 ? 'budget-over' : undefined}
                data-testid="budget-percent"
              >
                {b.percentSpent} %
              </span>
            </div>
            <div
              className="budget-bar"
              role="img"
              aria-label={`${b.percentSpent} % spent, ${b.percentForecast} % forecast`}
            >
              <span className="budget-fill" style={{ width: `${Math.min(b.percentSpent, 100)}%` }} />
              <span className="budget-forecast" style={{ left: `${Math.min(b.percentForecast, 100)}%` }} />
            </div>
            <p className="small muted budget-figures">
              <Amount wei={b.spent} testId="budget-spent" /> of{' '}
              <Amount wei={b.amount} testId="budget-limit" /> · forecast{' '}
              <Amount wei={b.forecast} testId="budget-forecast" /> ({b.percentForecast} %) by{' '}
              {formatUtc(Date.parse(b.to) / 1000 - 1, 'day')}
            </p>
          </li>
        ))}
      </ul>
      <p className="muted small">
        Spent: settled on chain this period (UTC). Forecast: linear, what was spent so far times the period's
        length over the time elapsed (at least an hour). Forecast rules alert only once a day and a tenth of
        the period have passed (earlier, a few payments extrapolate to anything).
      </p>
    </div>
  )
}
