import type { BlockSummary, Labels } from '@/lib/explorer/api'
import { formatGwei, formatNumber, formatPercent } from '@/lib/explorer/format'
import { AddressLink } from './AddressLink'
import { Age } from './Age'
import { BlockLink } from './BlockLink'
import { EmptyState } from './EmptyState'

/** Blocks as rows: number, age, transactions, gas used of the limit, base fee, miner. */
export function BlocksTable({
  blocks,
  labels,
  compact = false,
}: {
  blocks: BlockSummary[]
  labels?: Labels
  /** Leave out gas limit, base fee and miner (the overview). */
  compact?: boolean
}) {
  if (blocks.length === 0)
    return <EmptyState title="No blocks yet.">The chain has not produced a block.</EmptyState>
  return (
    <div className="table-wrap">
      <table className="table" data-testid="blocks-table">
        <thead>
          <tr>
            <th>Block</th>
            <th>Age</th>
            <th className="num">Txns</th>
            <th className="num">Gas used</th>
            {!compact && <th className="num">Base fee</th>}
            {!compact && <th>Miner</th>}
          </tr>
        </thead>
        <tbody>
          {blocks.map((b) => (
            <tr key={b.hash} data-testid="block-row" data-number={b.number}>
              <td>
                <BlockLink number={b.number} />
              </td>
              <td>
                <Age iso={b.timestamp} />
              </td>
              <td className="num">{formatNumber(b.txCount)}</td>
              <td
                className="num nowrap"
                title={`${formatNumber(b.gasUsed)} of ${formatNumber(b.gasLimit)} gas`}
              >
                {formatNumber(b.gasUsed)}
                {!compact && <span className="muted"> / {formatNumber(b.gasLimit)}</span>}{' '}
                <span className="muted small">({formatPercent(b.gasUsed, b.gasLimit)})</span>
              </td>
              {!compact && (
                <td className="num nowrap" title={b.baseFeePerGas ? `${b.baseFeePerGas} wei` : undefined}>
                  {b.baseFeePerGas === null ? '—' : formatGwei(b.baseFeePerGas)}
                </td>
              )}
              {!compact && (
                <td>
                  <AddressLink address={b.miner} labels={labels} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
