import type { Metadata } from 'next'
import { connection } from 'next/server'
import { OpenChannelForm } from '@/components/admin/OpenChannelForm'
import { serverContext } from '@/lib/server/context'
import { knownServices } from '@/lib/server/services'

export const metadata: Metadata = { title: 'Open a channel' }

/** Opens a payment channel from the connected wallet, which becomes its consumer. */
export default async function NewChannelPage() {
  await connection()
  const services = await knownServices(serverContext()).catch(() => [])
  return (
    <>
      <h1 className="page-title">Open a channel</h1>
      <p className="page-lead">
        Your connected account becomes the consumer: it deploys the channel through the factory, locks the
        first deposit in it and later pays the provider per request with signed tokens. Prices and deposits
        are converted to wei exactly; the form checks everything before your wallet is asked.
      </p>
      <OpenChannelForm services={services} />
    </>
  )
}
