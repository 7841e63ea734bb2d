import { createPublicClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPayment, type TestPayment, testSettings } from '../../../test/kit/payment'
import { type ChannelTestbed, startChannelTestbed } from '../../../test/kit/testbed'
import { checkHealth } from '../system/health'
import { callRoute } from './api/testing'
import type { ChannelRecord } from './channels'
import { staleStateOf } from './instance'
import type { Service } from './services'
import { tcpProxy } from './testing'

/*
 * The Payment Server while its chain node does not answer: the node is reached through a TCP
 * proxy that the test closes (connections refused) and opens again. Issue and verify go on from
 * a channel's last known state for PAYMENT_STALE_STATE_SECONDS, never past a deadline that
 * state names, and /api/payment/health says which channels are served so and since when.
 */

const TTL_MS = 100
const STALE_SECONDS = 3

let testbed: ChannelTestbed
let proxy: Awaited<ReturnType<typeof tcpProxy>>
let t: TestPayment
let alice: Service
let bob: Service
let carol: Service

beforeAll(async () => {
  testbed = await startChannelTestbed()
  proxy = await tcpProxy(Number(new URL(testbed.url).port))
  // The server reads the chain through the proxy only; no retries, so a refusal is at once.
  const client = createPublicClient({ chain: testbed.chain, transport: http(proxy.url, { retryCount: 0 }) })
  t = await startTestPayment({
    testbed: { ...testbed, publicClient: client as unknown as ChannelTestbed['publicClient'] },
    settings: testSettings({ chainCacheMs: TTL_MS, staleStateSeconds: STALE_SECONDS }),
  })
  alice = (await t.service('alice')).service
  bob = (await t.service('bob', { price: 1_000n })).service
  carol = (await t.service('carol', { price: 1_000n })).service
})
afterAll(async () => {
  await t?.stop()
  await proxy?.close()
  await testbed?.stop()
})

/** One token of `channel` issued to alice and verified by its provider: the outcome, or the refusal's status and code. */
async function payOnce(channel: ChannelRecord, provider: Service) {
  const issued = await callRoute(t.server, 'tokens.issueForChannel', {
    caller: alice,
    params: { address: channel.address },
    body: { count: 1 },
  })
  if (issued.status !== 200)
    return { status: issued.status, code: issued.body.error.code, message: issued.body.error.message }
  const [token] = issued.body.tokens as string[]
  const outcome = await t.server.verifier.verify(provider, token as string)
  return outcome.accepted ? { status: 200, code: 'accepted' } : { status: outcome.status, code: outcome.code }
}

/** Resolves once `condition()` holds, looking every 20 ms. */
async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20))
}

const readAt = async (channel: ChannelRecord) => (await t.server.channelStates.get(channel.address)).readAt

describe('Payment Server while the chain node does not answer', () => {
  it('issue and verify go on from the last known state within PAYMENT_STALE_STATE_SECONDS and its deadlines, health says so, and they stop after it', async () => {
    const steady = await t.channel(alice, bob)
    // A channel whose redemption becomes due 1 s after it starts: a deadline the state names.
    const { channel: due } = await t.server.channels.open({
      consumer: alice,
      provider: carol.address,
      costPerRequest: 1_000n,
      deposit: 1_000_000n,
      redemptionTimeout: 1n,
      terminationTimeout: 3n,
      autoFund: null,
    })
    await t.server.channels.act(due, carol, 'startRedemption', [2n])
    expect(await payOnce(steady, bob)).toEqual({ status: 200, code: 'accepted' })
    expect(await payOnce(due, carol)).toEqual({ status: 200, code: 'accepted' })
    const { state } = await t.server.channelStates.get(due.address)
    expect(state).toMatchObject({ expiringTokenId: 1n, activeTokenId: 2n })

    await proxy.close()
    const lastRead = await readAt(steady)
    await until(() => Date.now() - lastRead > TTL_MS)
    expect(await t.server.client.getBlockNumber({ cacheTime: 0 }).catch(() => 'refused')).toBe('refused')

    // Within the grace: paid traffic goes on, and health says which channel is served so.
    expect(await payOnce(steady, bob)).toEqual({ status: 200, code: 'accepted' })
    expect(await payOnce(steady, bob)).toEqual({ status: 200, code: 'accepted' })
    const health = await callRoute(t.server, 'health', { caller: alice })
    expect(health).toMatchObject({ status: 503, body: { status: 'degraded', chainHead: null } })
    expect(health.body.staleState.channels).toEqual([
      {
        channel: steady.address,
        since: health.body.staleState.since,
        stateReadAt: new Date(lastRead).toISOString(),
        blockNumber: expect.stringMatching(/^\d+$/),
      },
    ])
    const metrics = await t.server.metrics.registry.metrics()
    expect(metrics).toMatch(/^payment_stale_channels 1$/m)
    // The dashboard's /api/health says it too, for the Payment Server of its process.
    const dashboard = await checkHealth({ db: t.database.db, chain: t.server.client }, () =>
      staleStateOf(t.server),
    )
    expect(dashboard).toMatchObject({
      status: 'degraded',
      paymentStaleState: { since: health.body.staleState.since, channels: 1 },
    })

    // A deadline the last known state names is never served past, grace or not.
    await until(() => t.server.channelStates.now() >= Number(state.redeemableAt))
    const refused = await payOnce(due, carol)
    expect(refused).toMatchObject({ status: 503, code: 'chain_unavailable' })
    expect(refused.message).toBe(
      `The chain node does not answer for channel ${due.address}, and the redemption of token ID 1 became due (${state.redeemableAt}) since its state was last read.`,
    )

    // Past the grace: refused, and no longer listed as served.
    await until(() => Date.now() - lastRead > STALE_SECONDS * 1000)
    const late = await payOnce(steady, bob)
    expect(late).toMatchObject({ status: 503, code: 'chain_unavailable' })
    expect(late.message).toMatch(
      new RegExp(
        `^The chain node does not answer for channel ${steady.address}, and its last known state \\(block \\d+, read \\d+ s ago\\) is older than PAYMENT_STALE_STATE_SECONDS \\(${STALE_SECONDS} s\\)\\.$`,
      ),
    )
    expect((await callRoute(t.server, 'health', { caller: alice })).body.staleState).toBeNull()
    expect(staleStateOf(t.server)).toBeNull()

    // The node back: fresh state, nothing stale.
    await proxy.open()
    expect(await payOnce(steady, bob)).toEqual({ status: 200, code: 'accepted' })
    expect(await t.server.metrics.registry.metrics()).toMatch(/^payment_stale_channels 0$/m)
  })
})
