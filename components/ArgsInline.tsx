import type { DecodedArg, Labels } from '@/lib/explorer/api'
import { arrayArgItems } from '@/lib/explorer/argItems'
import { argHint } from '@/lib/explorer/format'
import { AddressLink } from './AddressLink'

function Value({ arg, labels }: { arg: DecodedArg; labels?: Labels }) {
  const { type, value } = arg
  const items = arrayArgItems(arg)
  if (items) {
    // "[1000, 5000]": each element's reading where it has one (prices in wei), exact in the title.
    return (
      <span className="mono break" title={items.map((i) => i.value).join(', ')}>
        [{items.map((i) => i.hint ?? i.value).join(', ')}]
      </span>
    )
  }
  if (type === 'address' && typeof value === 'string') return <AddressLink address={value} labels={labels} />
  if (typeof value === 'string') {
    const hint = argHint(arg)
    return hint ? <span title={value}>{hint}</span> : <span className="mono break">{value}</span>
  }
  return <span className="mono break">{JSON.stringify(value)}</span>
}

/**
 * Arguments on one line for lists ("consumer: alice · amount: 0.01 ETH"): addresses by label,
 * amounts and times read from their names (the exact value in the title), the rest as it is.
 */
export function ArgsInline({ args, labels }: { args: DecodedArg[]; labels?: Labels }) {
  if (args.length === 0) return <span className="muted">—</span>
  return (
    <span className="args-inline">
      {args.map((arg) => (
        <span key={arg.name} className="arg">
          <span className="muted">{arg.name}:</span> <Value arg={arg} labels={labels} />
        </span>
      ))}
    </span>
  )
}
