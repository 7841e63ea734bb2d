import type { Metadata } from 'next'
import { ChannelsTable } from '@/components/ChannelsTable'
import { EmptyState } from '@/components/EmptyState'
import { LoadError } from '@/components/LoadError'
import { Pagination, readPageParams } from '@/components/Pagination'
import { listChannels } from '@/lib/server/explorer'
import { load } from '../_lib/load'

export const metadata: Metadata = { title: 'Channels' }

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> }

/** Every indexed channel, newest first: parties, price, funds, phase, tokens and deadlines. */
export default async function ChannelsPage({ searchParams }: Props) {
  const page = readPageParams(await searchParams)
  const result = await load((ctx) => listChannels(ctx, { cursor: page.cursor }))
  return (
    <>
      <div className="title-row">
        <h1 className="page-title">Channels</h1>
        <a href="/channels/new" className="button" data-testid="open-channel-link">
          Open a channel
        </a>
      </div>
      <p className="page-lead">
        Payment channels opened through the factory, newest first. A consumer funds a channel and pays its
        provider per request with tokens; the provider redeems them after the redemption timeout.
      </p>
      {!result.ok ? (
        <LoadError error={result.error} what="the channels" retryHref="/channels" />
      ) : result.value.channels.length === 0 ? (
        <EmptyState title={page.cursor ? 'No older channels.' : 'No channels yet.'}>
          Channels appear here once the factory opens one and the indexer has seen it.
        </EmptyState>
      ) : (
        <>
          <ChannelsTable
            channels={result.value.channels}
            head={result.value.head}
            labels={result.value.labels}
          />
          <Pagination basePath="/channels" page={page} nextCursor={result.value.nextCursor} />
        </>
      )}
    </>
  )
}
