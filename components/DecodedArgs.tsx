import type { DecodedArg, Labels } from '@/lib/explorer/api'
import { arrayArgItems } from '@/lib/explorer/argItems'
import { argHint } from '@/lib/explorer/format'
import { AddressLink } from './AddressLink'

function ArgValue({
  arg,
  labels,
  itemNames,
}: {
  arg: DecodedArg
  labels?: Labels
  itemNames?: readonly string[]
}) {
  const { type, value } = arg
  const items = arrayArgItems(arg, itemNames)
  if (items) {
    if (items.length === 0) return <span className="muted">none</span>
    return (
      <ul className="arg-items" data-testid="arg-items">
        {items.map((item, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: an array argument's elements are its positions
          <li key={i} data-testid="arg-item">
            <span className="muted">{item.label}:</span> <span className="mono break">{item.value}</span>
            {item.hint && <span className="muted"> · {item.hint}</span>}
          </li>
        ))}
      </ul>
    )
  }
  if (type === 'address' && typeof value === 'string')
    return <AddressLink address={value} labels={labels} full />
  if (typeof value === 'boolean') return <span className="mono">{String(value)}</span>
  if (typeof value === 'string') {
    const hint = argHint(arg)
    return (
      <>
        <span className="mono break">{value}</span>
        {hint && <span className="muted"> · {hint}</span>}
      </>
    )
  }
  return <span className="mono break">{JSON.stringify(value)}</span>
}

/**
 * A decoded call's, event's or error's arguments: name, Solidity type and the exact value
 * (integers with all their digits and, when the name tells, a reading such as '0.01 ETH';
 * addresses linked with their labels; arrays one element a line, labelled with `itemNames`,
 * a v2 channel's category names, where given).
 */
export function DecodedArgs({
  args,
  labels,
  itemNames,
  testId,
}: {
  args: DecodedArg[]
  labels?: Labels
  itemNames?: readonly string[]
  testId?: string
}) {
  if (args.length === 0) return <p className="muted small">No arguments.</p>
  return (
    <div className="table-wrap">
      <table className="table args" data-testid={testId}>
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Value</th>
          </tr>
        </thead>
        <tbody>
          {args.map((arg) => (
            <tr key={arg.name} data-testid="decoded-arg" data-name={arg.name}>
              <td>{arg.name}</td>
              <td className="mono muted">{arg.type}</td>
              <td data-testid="decoded-arg-value">
                <ArgValue arg={arg} labels={labels} itemNames={itemNames} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
