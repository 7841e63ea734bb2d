import { Amount } from '@/components/Amount'
import { serviceHref } from '@/components/costs/CostGraphView'
import { EmptyState } from '@/components/EmptyState'
import { MoreRows } from '@/components/MoreRows'
import { Section } from '@/components/Section'
import { type CostOverhead, formatRatio } from '@/lib/costs/overhead'
import { shortAddress } from '@/lib/explorer/format'
import { OverheadTable } from './OverheadTable'

/**
 * What the payment system itself costs, on /costs: the gas its channels' transactions cost each
 * team per action against the value the team's channels settled, one row per team; each team
 * opens to its services. Reads GET /api/costs/overhead's answer. With `limit`, the first teams
 * (most gas first), each with its first services, and a link to all (`allHref`).
 */
export function OverheadSection({
  overhead,
  search,
  limit = Number.POSITIVE_INFINITY,
  allHref = '',
}: {
  overhead: CostOverhead
  search: string
  limit?: number
  allHref?: string
}) {
  const { totals } = overhead
  const teams = overhead.teams.slice(0, limit)
  // A team opens to its services: for the first few teams only when the table is cut, so a
  // 100-team network's page does not carry every service's row folded away.
  const opened = limit === Number.POSITIVE_INFINITY ? teams : teams.slice(0, Math.ceil(limit / 5))
  return (
    <Section
      title="What the payment system costs"
      testId="overhead-section"
      aside="its channels' gas against the value they moved"
    >
      <p className="muted small" data-testid="overhead-summary">
        Gas <Amount wei={totals.total} testId="overhead-total" /> in {totals.transactions} transactions
        against <Amount wei={totals.settled} testId="overhead-settled" /> settled: overhead{' '}
        <strong data-testid="overhead-ratio">{formatRatio(totals.ratio)}</strong>.
        {BigInt(totals.outside) > 0n && (
          <>
            {' '}
            Of it, <Amount wei={totals.outside} testId="overhead-outside" /> was paid by addresses that are
            neither a channel's party nor a labelled service, and is in no team.
          </>
        )}
      </p>
      {teams.length === 0 ? (
        <EmptyState title="No channel transactions in this window.">
          Gas appears here once a channel is opened, funded, redeemed, withdrawn from or terminated.
        </EmptyState>
      ) : (
        <>
          <OverheadTable
            testId="overhead-teams"
            first="Team"
            rows={teams.map((t) => ({ key: t.team, label: t.team, figures: t }))}
          />
          <MoreRows
            shown={teams.length}
            total={overhead.teams.length}
            noun="teams"
            allHref={allHref}
            testId="overhead-more"
          />
          {opened.length < teams.length && (
            <p className="muted small" data-testid="overhead-opened">
              The {opened.length} teams that paid most gas open to their services below;{' '}
              <a href={allHref}>show all</a> for every team's.
            </p>
          )}
          {opened.map((t) => (
            <details key={t.team} className="raw" data-testid="overhead-team" data-team={t.team}>
              <summary>
                {t.team}: {t.services.length} service{t.services.length === 1 ? '' : 's'}, overhead{' '}
                {formatRatio(t.ratio)}
              </summary>
              <OverheadTable
                testId="overhead-services"
                first="Service"
                rows={t.services.slice(0, limit).map((s) => ({
                  key: s.address,
                  label: <a href={serviceHref(s, search)}>{s.name ?? shortAddress(s.address)}</a>,
                  figures: s,
                }))}
              />
            </details>
          ))}
        </>
      )}
    </Section>
  )
}
