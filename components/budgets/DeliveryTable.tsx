import type { DeliveryView } from '@/lib/budgets/api'
import { formatUtc } from '@/lib/explorer/format'

const STATUS_CLASS: Record<DeliveryView['status'], string> = {
  sent: 'status status-ok',
  failed: 'status status-bad',
  pending: 'status status-busy',
  sending: 'status status-busy',
}

/** The alert history: one row per delivery (one per rule and crossing), newest first. */
export function DeliveryTable({ deliveries }: { deliveries: DeliveryView[] }) {
  return (
    <div className="table-wrap">
      <table className="table delivery-table" data-testid="deliveries">
        <thead>
          <tr>
            <th>When (UTC)</th>
            <th>Rule</th>
            <th>What crossed</th>
            <th>Status</th>
            <th className="num">Attempts</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id} data-testid="delivery" data-rule={d.rule} data-status={d.status}>
              <td className="nowrap">{formatUtc(d.createdAt, 'second', { zone: false })}</td>
              <td>
                <strong>{d.rule}</strong>
              </td>
              <td>
                <span data-testid="delivery-summary">{d.summary}</span>
                <br />
                <span className="muted small mono break" data-testid="delivery-crossing">
                  {d.crossing}
                </span>
              </td>
              <td>
                <span className={STATUS_CLASS[d.status]} data-testid="delivery-status">
                  {d.status}
                </span>
                {d.lastError && <span className="muted small block"> last error: {d.lastError}</span>}
              </td>
              <td className="num" data-testid="delivery-attempts">
                {d.attempts}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
