'use client'

import type { BlockPage } from '@/lib/explorer/api'
import { BlocksTable } from './BlocksTable'
import { Pagination } from './Pagination'
import { TableSkeleton } from './Skeleton'
import { usePolled } from './usePolled'

/**
 * The newest blocks, refreshed from /api/blocks every 2 s and seeded with the server's answer
 * (`initial`, null when the server could not read them). With `basePath` it links to older pages.
 */
export function LiveBlocks({
  initial,
  limit,
  compact = false,
  basePath,
}: {
  initial: BlockPage | null
  limit: number
  compact?: boolean
  basePath?: string
}) {
  const { value, stale } = usePolled<BlockPage>(`/api/blocks?limit=${limit}`, {
    initial: initial ?? undefined,
  })
  return (
    <div data-testid="live-blocks" data-stale={stale}>
      {stale && <p className="notice">Lost contact with the server; showing the last blocks it sent.</p>}
      {value ? (
        <BlocksTable blocks={value.blocks} labels={value.labels} compact={compact} />
      ) : (
        <TableSkeleton rows={limit} />
      )}
      {value && basePath && (
        <Pagination basePath={basePath} page={{ cursor: null, back: [] }} nextCursor={value.nextCursor} />
      )}
    </div>
  )
}
