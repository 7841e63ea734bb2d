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
        Payment channels between microservices, read from the chain. Blocks, channels and costs arrive here as
        the indexer and the Payment Server land.
      </p>
      <ChainOverview initial={health} />
    </>
  )
}
