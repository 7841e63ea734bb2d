import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { bigintOf } from '../../../lib/columns/kinds'
import { servePayment, startTestPayment, type TestPayment, testSettings } from '../../../test/kit/payment'
import { createPaymentConsumer } from '../src/consumer'
import { createPaymentVerifier } from '../src/provider'

/**
 * A consumer and a provider paying each other through a real Payment Server (anvil, Postgres,
 * the server's own HTTP code on a port): a channel from `shop` to `billing` at 1,000 wei per
 * request, the consumer library (no tokens kept ahead, so each token is issued when asked), the
 * provider's verifier, and a verifier of a Payment Server that is not there.
 */
export async function startPaidStack() {
  const t: TestPayment = await startTestPayment({ settings: testSettings({ issueAhead: 0 }) })
  const payment = await servePayment(t.server)
  const shop = await t.service('shop')
  const billing = await t.service('billing', { price: 1_000n })
  const channel = await t.channel(shop.service, billing.service, { costPerRequest: 1_000n })
  const consumer = createPaymentConsumer({ serverUrl: payment.url, apiKey: shop.apiKey, prefetch: 0 })
  const verifier = createPaymentVerifier({ serverUrl: payment.url, apiKey: billing.apiKey })
  const down = createPaymentVerifier({
    serverUrl: await closedUrl(),
    apiKey: billing.apiKey,
    timeoutMs: 2_000,
  })
  return {
    t,
    channel,
    consumer,
    /** The provider's name, as the consumer names it. */
    provider: 'billing',
    verifier,
    /** Where the Payment Server listens, and the provider's API key, for verifiers of a test's own. */
    serverUrl: payment.url,
    providerKey: billing.apiKey,
    /** A verifier whose Payment Server refuses connections. */
    down,
    /** Counts the Payment Server accepted on the channel (its payment_accepted rows' `accepted`). */
    async acceptedCount(): Promise<bigint> {
      const rows = await t.database.db.paymentAccepted.findMany({ where: { channel: channel.address } })
      return rows.reduce((sum, row) => sum + bigintOf(row.accepted), 0n)
    },
    async stop() {
      await payment.close()
      await t.stop()
    },
  }
}

export type PaidStack = Awaited<ReturnType<typeof startPaidStack>>

/** The URL of a port that was free a moment ago and is closed now: connections are refused. */
async function closedUrl(): Promise<string> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}`
}
