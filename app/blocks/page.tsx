import type { Metadata } from 'next'
import { BlocksTable } from '@/components/BlocksTable'
import { LiveBlocks } from '@/components/LiveBlocks'
import { LoadError } from '@/components/LoadError'
import { Pagination, readPageParams } from '@/components/Pagination'
import { listBlocks } from '@/lib/server/explorer'
import { load } from '../_lib/load'

export const metadata: Metadata = { title: 'Blocks' }

const PAGE = 25

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> }

/** Indexed blocks, newest first: the first page follows the chain live, older pages stay put. */
export default async function BlocksPage({ searchParams }: Props) {
  const page = readPageParams(await searchParams)
  const result = await load((ctx) => listBlocks(ctx, { cursor: page.cursor, limit: PAGE }))
  return (
    <>
      <h1 className="page-title">Blocks</h1>
      <p className="page-lead">
        {page.cursor
          ? 'Older blocks.'
          : 'The newest indexed blocks; this page follows the chain as it grows.'}
      </p>
      {!result.ok ? (
        <LoadError error={result.error} what="the blocks" retryHref="/blocks" />
      ) : page.cursor ? (
        <>
          <BlocksTable blocks={result.value.blocks} labels={result.value.labels} />
          <Pagination basePath="/blocks" page={page} nextCursor={result.value.nextCursor} />
        </>
      ) : (
        <LiveBlocks initial={result.value} limit={PAGE} basePath="/blocks" />
      )}
    </>
  )
}
