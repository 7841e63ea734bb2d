import type { Metadata } from 'next'
import Link from 'next/link'
import { AddressLink } from '@/components/AddressLink'
import { BlockTime } from '@/components/BlockTime'
import { EmptyState } from '@/components/EmptyState'
import { Field, Fields } from '@/components/Fields'
import { LoadError } from '@/components/LoadError'
import { Section } from '@/components/Section'
import { SourceNote } from '@/components/SourceNote'
import { TxTable } from '@/components/TxTable'
import { formatGwei, formatNumber, formatPercent, plural } from '@/lib/explorer/format'
import { getBlock } from '@/lib/server/explorer'
import { load } from '../../_lib/load'

type Props = { params: Promise<{ number: string }> }

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Block ${(await params).number}` }
}

/** One block: its header fields and its transactions. */
export default async function BlockPage({ params }: Props) {
  const { number } = await params
  const result = await load((ctx) => getBlock(ctx, number))
  if (!result.ok) {
    return (
      <>
        <h1 className="page-title">Block {number}</h1>
        <LoadError error={result.error} what="this block" retryHref={`/blocks/${number}`} />
      </>
    )
  }
  const { block, transactions, transactionsSource, labels } = result.value
  const n = BigInt(block.number)
  return (
    <>
      <div className="title-row">
        <h1 className="page-title">
          Block <span data-testid="block-number">#{formatNumber(block.number)}</span>
        </h1>
        <nav className="title-nav small">
          {n > 0n && (
            <Link href={`/blocks/${n - 1n}`} prefetch={false}>
              ‹ #{formatNumber(n - 1n)}
            </Link>
          )}{' '}
          <Link href={`/blocks/${n + 1n}`} prefetch={false}>
            #{formatNumber(n + 1n)} ›
          </Link>
        </nav>
      </div>
      <p className="subtitle" data-testid="block-hash">
        {block.hash}
      </p>
      <SourceNote source={block.source} what="This block" />
      <Fields testId="block-fields">
        <Field label="Time" testId="block-time">
          <BlockTime iso={block.timestamp} />
        </Field>
        <Field label="Transactions" testId="block-tx-count">
          {plural(block.txCount, 'transaction')}
        </Field>
        <Field label="Parent" testId="block-parent">
          {n > 0n ? (
            <Link
              href={`/blocks/${n - 1n}`}
              prefetch={false}
              className="mono break"
              title={`Block #${n - 1n}`}
            >
              {block.parentHash}
            </Link>
          ) : (
            <span className="mono break">{block.parentHash}</span>
          )}
        </Field>
        <Field label="Miner" testId="block-miner">
          <AddressLink address={block.miner} labels={labels} full />
        </Field>
        <Field label="Gas used" testId="block-gas-used">
          {formatNumber(block.gasUsed)}{' '}
          <span className="muted">({formatPercent(block.gasUsed, block.gasLimit)} of the limit)</span>
        </Field>
        <Field label="Gas limit" testId="block-gas-limit">
          {formatNumber(block.gasLimit)}
        </Field>
        <Field label="Base fee" testId="block-base-fee">
          {block.baseFeePerGas === null ? (
            <span className="muted">none (before London)</span>
          ) : (
            <span title={`${formatNumber(block.baseFeePerGas)} wei per gas`}>
              {formatGwei(block.baseFeePerGas)}
            </span>
          )}
        </Field>
        <Field label="Size" testId="block-size">
          {formatNumber(block.size)} bytes
        </Field>
      </Fields>
      <Section title="Transactions" aside={plural(block.txCount, 'transaction')} testId="block-transactions">
        {transactionsSource === 'node' ? (
          <p className="note" data-testid="block-transactions-source">
            Every transaction of the block, as the node reports it; the index holds those that touch the
            channels.
          </p>
        ) : (
          <p className="note" data-testid="block-transactions-source">
            The indexed transactions of this block only: the node does not answer.
          </p>
        )}
        {transactions.length === 0 ? (
          <EmptyState title="No transactions in this block." />
        ) : (
          <TxTable transactions={transactions} labels={labels} inBlock />
        )}
      </Section>
    </>
  )
}
