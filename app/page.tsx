import { connection } from 'next/server'
import { ChainOverview } from '@/components/ChainOverview'
import { serverContext } from '@/lib/server/context'
import { checkHealth } from '@/lib/server/health'

export default async function HomePage() {
  await connection()
  const health = await checkHealth(serverContext())
  return (
    <>
      <h1 className="page-title">Overview</h1>
      <p className="page-lead">
        Payment channels between microservices, read from the chain and indexed into Postgres (progress in the
        header badge). Services pay each other per request through the Payment Server (
        <code>/api/payment</code>); block, channel and cost views arrive here with the explorer.
      </p>
      <ChainOverview initial={health} />
    </>
  )
}
