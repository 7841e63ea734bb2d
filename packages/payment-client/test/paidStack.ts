import { bigintOf } from '../../../lib/columns/kinds'
import { freePort } from '../../../stack/ports'
import { createPaymentConsumer } from '../src/consumer'
import { createPaymentVerifier } from '../src/provider'
import { startServedPayment } from './kit'

/**
 * A consumer and a provider paying each other through a real Payment Server (anvil, Postgres,
 * the server's own HTTP code on a port): a channel from `shop` to `billing-1` at 1,000 wei per
 * request, the consumer library (no tokens kept ahead, so each token is issued when asked), the
 * provider's verifier, and a verifier of a Payment Server that is not there.
 */
export async function startPaidStack() {
  const served = await startServedPayment()
  const { t, consumer: shop } = served
  const { name: provider, provider: billing, channel } = await served.provider()
  const consumer = createPaymentConsumer({ serverUrl: served.url, apiKey: shop.apiKey, prefetch: 0 })
  const verifier = createPaymentVerifier({ serverUrl: served.url, apiKey: billing.apiKey })
  const down = createPaymentVerifier({
    serverUrl: `http://127.0.0.1:${await freePort()}`,
    apiKey: billing.apiKey,
    timeoutMs: 2_000,
  })
  return {
    t,
    channel,
    consumer,
    /** The provider's name, as the consumer names it. */
    provider,
    verifier,
    /** Where the Payment Server listens, and the provider's API key, for verifiers of a test's own. */
    serverUrl: served.url,
    providerKey: billing.apiKey,
    /** A verifier whose Payment Server refuses connections (a port nothing listens on). */
    down,
    /** Counts the Payment Server accepted on the channel (its payment_accepted rows' `accepted`). */
    async acceptedCount(): Promise<bigint> {
      const rows = await t.database.db.paymentAccepted.findMany({ where: { channel: channel.address } })
      return rows.reduce((sum, row) => sum + bigintOf(row.accepted), 0n)
    },
    stop: () => served.close(),
  }
}

export type PaidStack = Awaited<ReturnType<typeof startPaidStack>>
