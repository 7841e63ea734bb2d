import { Amount } from '@/components/Amount'
import { UnitName } from '@/components/UnitProvider'
import type { PriceTable } from '@/lib/costs/api'
import { formatNumber, formatUtc } from '@/lib/explorer/format'

/** A price against the same category's in the table before: ▲ raised, ▼ lowered, nothing when equal or first. */
function Change({ price, before }: { price: string; before: string | undefined }) {
  if (before === undefined || before === price) return null
  const up = BigInt(price) > BigInt(before)
  return (
    <span
      className={up ? 'price-up' : 'price-down'}
      title={`${up ? 'raised' : 'lowered'} from ${before} wei`}
    >
      {up ? ' ▲' : ' ▼'}
    </span>
  )
}

/**
 * One version 2 channel's price history, oldest table first: the token IDs each table priced,
 * when it was announced on chain (block, UTC), and per category its price and the requests
 * bought at it (redeemed counts of those token IDs) with what they paid. Amounts in the view's
 * unit.
 */
export function PriceHistory({ channel, history }: { channel: string; history: readonly PriceTable[] }) {
  if (history.length === 0) return <p className="muted small">No price table indexed yet.</p>
  return (
    <div className="table-wrap">
      <table className="table" data-testid="price-history" data-channel={channel}>
        <thead>
          <tr>
            <th scope="col">Token IDs</th>
            <th scope="col">Announced</th>
            <th scope="col">Category</th>
            <th scope="col" className="num">
              Price per request <UnitName />
            </th>
            <th scope="col" className="num">
              Requests bought
            </th>
            <th scope="col" className="num">
              Paid <UnitName />
            </th>
          </tr>
        </thead>
        <tbody>
          {history.map((t, i) => {
            const before = history[i - 1]
            const ids =
              t.toTokenId === null
                ? `${t.fromTokenId} on (current)`
                : `${t.fromTokenId}–${BigInt(t.toTokenId) - 1n}`
            return t.categories.map((c, j) => (
              <tr
                key={`${t.fromTokenId}/${c.category}`}
                data-testid="price-row"
                data-from={t.fromTokenId}
                data-category={c.name}
                data-price={c.price}
                data-requests={c.requests}
                data-paid={c.paid}
                className={j === 0 && i > 0 ? 'group-start' : undefined}
              >
                {j === 0 && (
                  <>
                    <td rowSpan={t.categories.length}>
                      {ids}
                      <div className="muted small">
                        version {t.version} · {formatNumber(String(t.redemptions))} redeemed
                      </div>
                    </td>
                    <td rowSpan={t.categories.length}>
                      <a href={`/tx/${t.tx}`}>{formatUtc(t.time)}</a>
                      <div className="muted small">
                        block <a href={`/blocks/${t.block}`}>#{t.block}</a>
                      </div>
                    </td>
                  </>
                )}
                <td>{c.name}</td>
                <td className="num">
                  <Amount wei={c.price} bare />
                  <Change price={c.price} before={before?.categories[j]?.price} />
                </td>
                <td className="num">{formatNumber(c.requests)}</td>
                <td className="num">
                  <Amount wei={c.paid} bare />
                </td>
              </tr>
            ))
          })}
        </tbody>
      </table>
    </div>
  )
}
