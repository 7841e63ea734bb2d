'use client'

import type { EventPage } from '@/lib/explorer/api'
import { EmptyState } from './EmptyState'
import { EventsTable } from './EventsTable'
import { TableSkeleton } from './Skeleton'
import { usePolled } from './usePolled'

/** The newest channel events, refreshed from /api/events every 2 s, seeded with the server's answer. */
export function LiveEvents({ initial, limit }: { initial: EventPage | null; limit: number }) {
  const { value, stale } = usePolled<EventPage>(`/api/events?limit=${limit}`, {
    initial: initial ?? undefined,
  })
  return (
    <div data-testid="live-events" data-stale={stale}>
      {stale && <p className="notice">Lost contact with the server; showing the last events it sent.</p>}
      {!value ? (
        <TableSkeleton rows={limit} />
      ) : value.events.length === 0 ? (
        <EmptyState title="No channel events yet.">
          Events appear here when a channel is opened, funded, redeemed, withdrawn from or terminated.
        </EmptyState>
      ) : (
        <EventsTable events={value.events} labels={value.labels} />
      )}
    </div>
  )
}
