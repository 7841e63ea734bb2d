/**
 * The gauge of the verify endpoint in `npm run bench:payment`, run as a process of its own: a
 * bare `node:http` server that does only what accepting a token cannot go without, with the
 * Payment Server's own parts. It reads the body, parses the token, recovers its signer with the
 * same native secp256k1 recovery on its main thread, checks that the signer is the channel's
 * consumer, and accepts the count as the verifier decides it (decideAcceptance) with the Payment
 * Server's acceptance statement through its AcceptanceStore, coalescing one channel's tokens
 * into one statement as the verifier does.
 * Nothing else: no Next.js, no authentication, no chain reads (its channel is free, so the funds
 * check passes), no token-ID window, no metrics, no worker threads. The verify endpoint's rate over this one's is the share of the
 * unavoidable work in what the endpoint costs.
 *
 * It verifies tokens of a channel of its own (a `payment_channel` row it creates on a chain id
 * of its own, tokens signed by GAUGE_CONSUMER's key in the bench), so the Payment Server's
 * state is not touched.
 * Environment: GAUGE_DATABASE_URL, GAUGE_CHAIN_ID, GAUGE_CHANNEL, GAUGE_CONSUMER, GAUGE_PORT.
 * Prints `gauge listening <port>` once it serves.
 */
import { createServer } from 'node:http'
import pg from 'pg'
import type { Address } from 'viem'
import { DEFAULT_MAX_MISSING_RANGES } from '../../lib/counter'
import { createAcceptanceStore } from '../../lib/server/payment/acceptanceStore'
import { createHotSql } from '../../lib/server/payment/hotSql'
import { createPaymentMetrics } from '../../lib/server/payment/metrics'
import { decideAcceptance } from '../../lib/server/payment/verify/decideAcceptance'
import { recoverTokenSignerNative, tokenCryptoReady } from '../../lib/server/tokenCrypto'
import { createCoalescer } from '../../packages/payment-client/src/coalesce'
import { parseToken, type Token } from '../../packages/payment-client/src/token'

const need = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}
const databaseUrl = need('GAUGE_DATABASE_URL')
const chainId = Number(need('GAUGE_CHAIN_ID'))
const channel = need('GAUGE_CHANNEL').toLowerCase()
const consumer = need('GAUGE_CONSUMER').toLowerCase()
const port = Number(need('GAUGE_PORT'))

// The channel's row, which the acceptance statement's version bump needs. It is on a chain id
// of its own, so the Payment Server (its runner reads every channel of its chain) never sees it;
// a row names a service of this server as a party, any will do.
const setup = new pg.Client({ connectionString: databaseUrl })
await setup.connect()
await setup.query(
  `INSERT INTO payment_channel (chain_id, address, consumer, provider, provider_service_id,
     cost_per_request, redemption_timeout, termination_timeout)
   SELECT $1, $2, $3, address, id, 1, 3600, 3600 FROM payment_service ORDER BY id LIMIT 1
   ON CONFLICT DO NOTHING`,
  [chainId, channel, consumer],
)
await setup.end()
await tokenCryptoReady

const store = createAcceptanceStore({
  sql: createHotSql({ databaseUrl }),
  chainId,
  metrics: createPaymentMetrics(),
})

/** The gauge's channel as the verifier's decision sees it: free, so the funds check always passes. */
const job = {
  channel: { address: channel as Address, costPerRequest: 0n },
  snapshot: { state: { activeTokenId: 1n, expiringTokenId: 0n, consumerFunds: 0n } },
}

/**
 * One statement for the tokens that arrived while the previous one ran, decided by the
 * verifier's own decideAcceptance(); true for each accepted.
 */
const accept = createCoalescer<Token, boolean>({
  run: async (tokens) => {
    const { decided } = await store.apply(channel, (state) =>
      decideAcceptance({
        jobs: tokens.map((token) => ({ ...job, token })),
        state,
        floor: () => 0n,
        maxMissingRanges: DEFAULT_MAX_MISSING_RANGES,
      }),
    )
    return decided.outcomes.map((outcome) => outcome.accepted)
  },
})

const answer = (res: import('node:http').ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    let parsed: ReturnType<typeof parseToken>
    try {
      parsed = parseToken((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { token: string }).token)
    } catch {
      return answer(res, 400, '{"accepted":false}')
    }
    if (
      parsed.token.channel.toLowerCase() !== channel ||
      recoverTokenSignerNative(parsed)?.toLowerCase() !== consumer
    )
      return answer(res, 402, '{"accepted":false}')
    accept.submit(parsed.token).then(
      (accepted) => answer(res, accepted ? 200 : 402, `{"accepted":${accepted}}`),
      () => answer(res, 503, '{"accepted":false}'),
    )
  })
}).listen(port, '127.0.0.1', () => console.log(`gauge listening ${port}`))

// A stop is an ordinary exit (what --cpu-prof needs to write its profile).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0))
