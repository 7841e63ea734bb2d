import type { Metadata } from 'next'
import { LabelEditor } from '@/components/costs/LabelEditor'
import { EmptyState } from '@/components/EmptyState'
import { LoadError } from '@/components/LoadError'
import { Section } from '@/components/Section'
import { shortAddress } from '@/lib/explorer/format'
import { listServiceLabels, unlabelledParties } from '@/lib/server/services'
import { load } from '../_lib/load'

export const metadata: Metadata = { title: 'Services' }

/**
 * Services and teams: every labelled address (from the Payment Server's services or set by a
 * label admin), the channel parties that still lack a label, and a form to add one.
 */
export default async function ServicesPage() {
  const result = await load(async (ctx) => {
    const [labels, unlabelled] = await Promise.all([listServiceLabels(ctx), unlabelledParties(ctx)])
    return { labels, unlabelled }
  })
  if (!result.ok) return <LoadError error={result.error} what="the services" retryHref="/services" />
  const { labels, unlabelled } = result.value
  const teams = new Set(labels.map((l) => l.team))
  return (
    <>
      <h1 className="page-title">Services and teams</h1>
      <p className="page-lead">
        Names and teams for the addresses that pay and get paid. They appear wherever the address does: the
        explorer, the channels and the cost graph. {labels.length} services in {teams.size} teams.
      </p>
      <Section title="Labelled services" testId="labels">
        {labels.length === 0 ? (
          <EmptyState title="No labels yet.">
            Services registered with the Payment Server get one by themselves.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="labels-table">
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Team</th>
                  <th scope="col">Address</th>
                  <th scope="col">Source</th>
                  <th scope="col" className="num">
                    Version
                  </th>
                </tr>
              </thead>
              <tbody>
                {labels.map((l) => (
                  <tr key={l.address} data-testid="label-row" data-address={l.address}>
                    <td>
                      <a href={`/services/${encodeURIComponent(l.name)}`}>{l.name}</a>
                    </td>
                    <td>{l.team}</td>
                    <td>
                      <a className="mono" href={`/address/${l.address}`}>
                        {shortAddress(l.address)}
                      </a>
                    </td>
                    <td className="muted">
                      {l.source === 'payment'
                        ? 'Payment Server'
                        : `edited by ${shortAddress(l.updatedBy ?? '0x')}`}
                    </td>
                    <td className="num">{l.version}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <div className="columns">
        <Section title="Label an address">
          <p className="muted small">
            A label admin's wallet (LABEL_ADMINS) signs the edit; nothing is sent on chain.
          </p>
          <LabelEditor version={0} openAfterSave />
        </Section>
        <Section
          title="Channel parties without a label"
          aside={unlabelled.length > 0 ? String(unlabelled.length) : undefined}
        >
          {unlabelled.length === 0 ? (
            <p className="muted">Every channel party has a label.</p>
          ) : (
            <ul className="plain-list" data-testid="unlabelled">
              {unlabelled.map((a) => (
                <li key={a}>
                  <a className="mono" href={`/services/${a}`}>
                    {a}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
    </>
  )
}
