import { Amount } from '@/components/Amount'
import { UnitName } from '@/components/UnitProvider'
import { ACTION_TITLES, formatRatio, OVERHEAD_ACTIONS, type OverheadFigures } from '@/lib/costs/overhead'

/** One row of an overhead table: what it names (a team, a service) and its figures. */
export type OverheadRow = { key: string; label: React.ReactNode; figures: OverheadFigures }

/**
 * Gas fees per action, their total, the value moved and the overhead ratio, a row per team or
 * service; amounts in the view's unit (exact wei on hover and in `data-wei`).
 */
export function OverheadTable({
  rows,
  first,
  testId,
}: {
  rows: OverheadRow[]
  first: string
  testId: string
}) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{first}</th>
            {OVERHEAD_ACTIONS.map((a) => (
              <th key={a} scope="col" className="num">
                {ACTION_TITLES[a]} <UnitName />
              </th>
            ))}
            <th scope="col" className="num">
              Gas <UnitName />
            </th>
            <th scope="col" className="num">
              Value moved <UnitName />
            </th>
            <th scope="col" className="num" title="Gas fees ÷ value settled">
              Overhead
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ key, label, figures: f }) => (
            <tr key={key} data-testid={`${testId}-row`} data-key={key}>
              <td style={{ whiteSpace: 'nowrap' }}>{label}</td>
              {OVERHEAD_ACTIONS.map((a) => (
                <td key={a} className="num" data-col={`gas_${a}_wei`} data-value={f.fees[a]}>
                  <Amount wei={f.fees[a]} bare />
                </td>
              ))}
              <td className="num" data-col="gas_total_wei" data-value={f.total}>
                <strong>
                  <Amount wei={f.total} bare />
                </strong>
              </td>
              <td className="num" data-col="moved_wei" data-value={f.settled}>
                <Amount wei={f.settled} bare />
              </td>
              <td
                className="num"
                data-col="overhead_ratio"
                data-value={f.ratio === null ? '' : String(f.ratio)}
                title={f.ratio === null ? 'Nothing settled in the window' : `${f.ratio} × the value moved`}
              >
                {formatRatio(f.ratio)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
