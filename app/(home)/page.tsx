import Link from 'next/link'
import { connection } from 'next/server'
import { ChainOverview } from '@/components/ChainOverview'
import { LiveBlocks } from '@/components/LiveBlocks'
import { LiveEvents } from '@/components/LiveEvents'
import { Section } from '@/components/Section'
import { serverContext } from '@/lib/server/context'
import { listBlocks, listEvents } from '@/lib/server/explorer'
import { checkHealth } from '@/lib/server/system'
import { load } from '../_lib/load'

const LATEST = 10

export default async function HomePage() {
  await connection()
  const [health, blocks, events] = await Promise.all([
    checkHealth(serverContext()),
    load((ctx) => listBlocks(ctx, { limit: LATEST })),
    load((ctx) => listEvents(ctx, { limit: LATEST })),
  ])
  return (
    <>
      <h1 className="page-title">Overview</h1>
      <p className="page-lead">
        Payment channels between microservices, read from the chain and indexed into Postgres (progress in the
        header badge). Services pay each other per request through the Payment Server (
        <code>/api/payment</code>).
      </p>
      <ChainOverview initial={health} />
      <div className="columns">
        <Section
          title="Latest blocks"
          aside={
            <Link href="/blocks" prefetch={false}>
              All blocks →
            </Link>
          }
          testId="latest-blocks"
        >
          <LiveBlocks initial={blocks.ok ? blocks.value : null} limit={LATEST} compact />
        </Section>
        <Section
          title="Latest channel events"
          aside={
            <Link href="/channels" prefetch={false}>
              All channels →
            </Link>
          }
          testId="latest-events"
        >
          <LiveEvents initial={events.ok ? events.value : null} limit={LATEST} />
        </Section>
      </div>
    </>
  )
}
