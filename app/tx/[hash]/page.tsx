import type { Metadata } from 'next'
import { AddressLink } from '@/components/AddressLink'
import { Amount } from '@/components/Amount'
import { BlockLink } from '@/components/BlockLink'
import { BlockTime } from '@/components/BlockTime'
import { DecodedArgs } from '@/components/DecodedArgs'
import { Field, Fields } from '@/components/Fields'
import { LoadError } from '@/components/LoadError'
import { RawToggle } from '@/components/RawToggle'
import { RevertBox } from '@/components/RevertBox'
import { Section } from '@/components/Section'
import { SourceNote } from '@/components/SourceNote'
import { TxEvents } from '@/components/TxEvents'
import { TxStatusPill } from '@/components/TxStatusPill'
import type { TxDetail } from '@/lib/explorer/api'
import { formatGwei, formatNumber, formatPercent, shortHash } from '@/lib/explorer/format'
import { getTransaction } from '@/lib/server/explorer'
import { load } from '../../_lib/load'

type Props = { params: Promise<{ hash: string }> }

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Transaction ${shortHash((await params).hash)}` }
}

/** One transaction: status and revert reason, parties, value and fees, the call, its events, raw data. */
export default async function TxPage({ params }: Props) {
  const { hash } = await params
  const result = await load((ctx) => getTransaction(ctx, hash))
  if (!result.ok) {
    return (
      <>
        <h1 className="page-title">Transaction</h1>
        <p className="subtitle">{hash}</p>
        <LoadError error={result.error} what="this transaction" retryHref={`/tx/${hash}`} />
      </>
    )
  }
  const { transaction: tx, events, eventsNote, labels } = result.value
  return (
    <>
      <div className="title-row">
        <h1 className="page-title">Transaction</h1>
        <TxStatusPill status={tx.status} testId="tx-status" />
      </div>
      <p className="subtitle" data-testid="tx-hash">
        {tx.hash}
      </p>
      <SourceNote source={tx.source} what="This transaction" />
      {tx.status === 'pending' && (
        <p className="note">
          Pending: not mined yet. Fees, status and events are known once it is in a block.
        </p>
      )}
      {tx.revert && <RevertBox revert={tx.revert} labels={labels} />}
      <Fields testId="tx-fields">
        <Field label="From" testId="tx-from">
          <AddressLink address={tx.from} labels={labels} full />
        </Field>
        <Field label={tx.to ? 'To' : 'Created'} testId="tx-to">
          <AddressLink address={tx.to ?? tx.contractAddress} labels={labels} full />
        </Field>
        <Field label="Value" testId="tx-value">
          <Amount wei={tx.value} />
        </Field>
        <Field label="Block" testId="tx-block">
          <BlockLink number={tx.blockNumber} />
          {tx.txIndex !== null && <span className="muted"> · position {tx.txIndex}</span>}
          {tx.confirmations !== null && (
            <span className="muted"> · {formatNumber(tx.confirmations)} confirmations</span>
          )}
        </Field>
        <Field label="Time" testId="tx-time">
          {tx.timestamp ? <BlockTime iso={tx.timestamp} /> : '—'}
        </Field>
        <Field label="Nonce" testId="tx-nonce">
          {formatNumber(tx.nonce)}
        </Field>
        <Field label="Gas used / limit" testId="tx-gas">
          {tx.gasUsed === null ? '—' : formatNumber(tx.gasUsed)} / {formatNumber(tx.gasLimit)}
          {tx.gasUsed !== null && <span className="muted"> ({formatPercent(tx.gasUsed, tx.gasLimit)})</span>}
        </Field>
        <Field label="Gas price" testId="tx-gas-price">
          <GasPrice tx={tx} />
        </Field>
        <Field label="Fee" testId="tx-fee">
          <Amount wei={tx.fee} unit="ETH" />
        </Field>
        <Field label="Type" testId="tx-type">
          {tx.type}
        </Field>
        {tx.channel && (
          <Field label="Channel" testId="tx-channel">
            <AddressLink address={tx.channel} labels={labels} full />
          </Field>
        )}
      </Fields>
      <Section title="Function" testId="tx-function-section">
        <TxCall tx={tx} labels={labels} />
      </Section>
      <Section title="Events" aside={events.length > 0 ? `${events.length}` : undefined} testId="tx-events">
        {eventsNote && (
          <p className="note" data-testid="tx-events-note">
            {eventsNote}
          </p>
        )}
        <TxEvents events={events} labels={labels} />
      </Section>
      <Section title="Raw data" testId="tx-raw">
        <RawToggle
          summary={`Input (${(tx.input.length - 2) / 2} bytes)`}
          value={tx.input}
          testId="tx-raw-input"
        />
        <RawToggle
          summary={`Logs (${events.length})`}
          value={events.map(({ logIndex, address, topics, data }) => ({ logIndex, address, topics, data }))}
          testId="tx-raw-logs"
        />
        <RawToggle summary="The whole answer (JSON)" value={result.value} testId="tx-raw-json" />
      </Section>
    </>
  )
}

function GasPrice({ tx }: { tx: TxDetail['transaction'] }) {
  const paid = tx.effectiveGasPrice ?? tx.gasPrice
  return (
    <>
      {paid === null ? '—' : <span title={`${formatNumber(paid)} wei per gas`}>{formatGwei(paid)}</span>}
      {tx.maxFeePerGas !== null && (
        <span className="muted small">
          {' '}
          · max {formatGwei(tx.maxFeePerGas)}
          {tx.maxPriorityFeePerGas !== null && `, tip ${formatGwei(tx.maxPriorityFeePerGas)}`}
        </span>
      )}
    </>
  )
}

function TxCall({ tx, labels }: { tx: TxDetail['transaction']; labels: TxDetail['labels'] }) {
  if (tx.call) {
    return (
      <div className="card" data-testid="tx-function" data-name={tx.call.name}>
        <p className="call-name">
          <strong className="mono">{tx.call.name}</strong>{' '}
          <span className="mono small muted break" data-testid="tx-signature">
            {tx.call.signature} · {tx.call.selector}
          </span>
        </p>
        <DecodedArgs args={tx.call.args} labels={labels} testId="tx-function-args" />
      </div>
    )
  }
  const text =
    tx.input === '0x'
      ? 'No call data: a plain transfer of value.'
      : tx.to === null
        ? 'Contract creation: the input is the contract’s code.'
        : `Unknown function (selector ${tx.input.slice(0, 10)}): the contract’s ABI is not known here.`
  return (
    <p className="card muted" data-testid="tx-function" data-name="">
      {text}
    </p>
  )
}
