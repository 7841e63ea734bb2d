import type { Labels, TxSummary } from '@/lib/explorer/api'
import { AddressLink } from './AddressLink'
import { Age } from './Age'
import { Amount } from './Amount'
import { BlockLink } from './BlockLink'
import { HashLink } from './HashLink'
import { TxStatusPill } from './TxStatusPill'

/** Transactions as rows: hash, block and age (unless `inBlock`), method, from → to, value, fee, status. */
export function TxTable({
  transactions,
  labels,
  inBlock = false,
}: {
  transactions: TxSummary[]
  labels: Labels
  /** The table is on a block's page: show the position instead of block and age. */
  inBlock?: boolean
}) {
  return (
    <div className="table-wrap">
      <table className="table collapse" data-testid="tx-table">
        <thead>
          <tr>
            <th>Hash</th>
            {inBlock ? <th className="num">#</th> : <th>Block</th>}
            {!inBlock && <th>Age</th>}
            <th>Method</th>
            <th>From → To</th>
            <th className="num">Value</th>
            <th className="num">Fee</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {transactions.map((tx) => (
            <tr key={tx.hash} data-testid="tx-row" data-hash={tx.hash}>
              <td data-label="Hash" className="nowrap">
                <HashLink kind="tx" hash={tx.hash} />
              </td>
              {inBlock ? (
                <td data-label="Position" className="num">
                  {tx.txIndex}
                </td>
              ) : (
                <td data-label="Block">
                  <BlockLink number={tx.blockNumber} />
                </td>
              )}
              {!inBlock && <td data-label="Age">{tx.timestamp ? <Age iso={tx.timestamp} /> : '—'}</td>}
              <td data-label="Method">
                {tx.method ? (
                  <span className="method" title={tx.method}>
                    {tx.method}
                  </span>
                ) : (
                  <span className="muted">{tx.contractAddress ? 'create' : 'transfer'}</span>
                )}
              </td>
              <td data-label="From → To">
                <span className="nowrap">
                  <AddressLink address={tx.from} labels={labels} /> <span className="muted">→</span>
                </span>{' '}
                <span className="nowrap">
                  {tx.to ? (
                    <AddressLink address={tx.to} labels={labels} />
                  ) : (
                    <>
                      <span className="muted">new </span>
                      <AddressLink address={tx.contractAddress} labels={labels} />
                    </>
                  )}
                </span>
              </td>
              <td data-label="Value" className="num nowrap">
                <Amount wei={tx.value} />
              </td>
              <td data-label="Fee" className="num nowrap">
                <Amount wei={tx.fee} unit="ETH" />
              </td>
              <td data-label="Status">
                <TxStatusPill status={tx.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
