import { Amount } from '@/components/Amount'
import { Change, ChangePercent, Movers } from '@/components/costs/Comparison'
import { Section } from '@/components/Section'
import { UnitName } from '@/components/UnitProvider'
import type { ServiceCosts } from '@/lib/costs/api'
import { rangeLabel, windowFromView } from '@/lib/costs/window'
import { shortAddress } from '@/lib/explorer/format'

/** The names the page's answer knows: the service's, its counterparties' and providers'. */
function namesOf(s: ServiceCosts): Map<string, string> {
  const names = new Map<string, string>()
  const add = (address: string, name: string | null) => {
    if (name !== null && !names.has(address)) names.set(address, name)
  }
  add(s.service.address, s.service.name)
  for (const c of s.channels) add(c.counterparty, c.counterpartyName)
  for (const d of s.loaded.direct) add(d.provider, d.name)
  for (const c of s.callers) add(c.consumer, c.name)
  return names
}

/**
 * On a service's page (the API's `comparison`, compare=previous): what it paid and earned in
 * this window against the window as long right before it, the change in the view's unit and
 * as a share, and which of its pairs moved most (largest increase first). A rise in what it
 * paid reads as bad, a rise in what it earned as good. Nothing for `all`, which has no window
 * before it.
 */
export function ServiceComparison({ costs }: { costs: ServiceCosts }) {
  const { comparison } = costs
  if (!comparison) return null
  const names = namesOf(costs)
  const nameOf = (address: string) => names.get(address) ?? shortAddress(address)
  const sides = [
    { key: 'paid', label: 'Paid', figures: comparison.paid, earned: false },
    { key: 'earned', label: 'Earned', figures: comparison.earned, earned: true },
  ]
  return (
    <Section
      title="Against the previous window"
      aside={rangeLabel(windowFromView(comparison.window))}
      testId="service-comparison"
    >
      <div className="table-wrap">
        <table className="table" data-testid="service-comparison-table">
          <thead>
            <tr>
              <th scope="col">Settled</th>
              <th scope="col" className="num">
                This window <UnitName />
              </th>
              <th scope="col" className="num">
                Before <UnitName />
              </th>
              <th scope="col" className="num">
                Change <UnitName />
              </th>
              <th scope="col" className="num">
                Change %
              </th>
            </tr>
          </thead>
          <tbody>
            {sides.map(({ key, label, figures, earned }) => (
              <tr key={key} data-testid="service-comparison-row" data-side={key}>
                <th scope="row">{label}</th>
                <td className="num">
                  <Amount wei={figures.settled} bare />
                </td>
                <td className="num">
                  <Amount wei={figures.previous} bare />
                </td>
                <td className="num">
                  <Change wei={figures.change} bare earned={earned} />
                </td>
                <td className="num">
                  <ChangePercent
                    change={figures.change}
                    previous={figures.previous}
                    testId="change-percent"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {comparison.movers.length > 0 ? (
        <>
          <p className="muted small">Its pairs that changed most, largest increase first:</p>
          <Movers movers={comparison.movers} nameOf={nameOf} />
        </>
      ) : (
        <p className="muted small">None of its pairs changed between the two windows.</p>
      )}
    </Section>
  )
}
