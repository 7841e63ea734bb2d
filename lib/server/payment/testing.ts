import net from 'node:net'
import type { Address, Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { expect } from 'vitest'
import { formatToken, parseToken } from '../../../packages/payment-client/src/token'
import {
  type PaymentCores,
  startPaymentCores,
  type TestPayment,
  testSettings,
} from '../../../test/kit/payment'
import { bigintOf } from '../../columns/kinds'
import { signTokenNative } from '../tokenCrypto'
import type { ChannelRecord } from './channels'
import type { Service } from './services'
import type { VerifyOutcome } from './verify/verifyOutcome'

/*
 * Test helpers of the Payment Server's core (issuer, verifier, runner) on test/kit's
 * startPaymentCores(): one core with alice (consumer) and bob and carol (providers at 1,000 wei
 * per request), fresh channels, wire tokens, and reads of what was accepted and issued.
 */

/** The request count a wire token carries. */
export const requestsOf = (token: string) => parseToken(token).token.requests

/** Each outcome as `accepted` or its refusal code. */
export const codes = (outcomes: VerifyOutcome[]) => outcomes.map((o) => (o.accepted ? 'accepted' : o.code))

/** Statements that took counts so far (`server`'s metric). */
export const takes = async (server: TestPayment['server']) =>
  (await server.metrics.issueTakes.get()).values[0]?.value ?? 0

/** Settings for another core of `t`'s team (same keystore secret, so it can sign for its services). */
export const sameTeam = (t: TestPayment, overrides: Parameters<typeof testSettings>[0] = {}) =>
  testSettings({ keystoreSecret: t.server.settings.keystoreSecret, ...overrides })

/** Issues `count` tokens of the channel's active ID and has the provider accept them all. */
export async function accept(
  t: TestPayment,
  channel: ChannelRecord,
  consumer: Service,
  provider: Service,
  count: number,
) {
  const { tokens } = await t.server.issuer.issue({ channel, consumer, count })
  const outcomes = await t.server.verifier.verifyMany(provider, tokens.reverse())
  expect(outcomes.filter((o) => o.accepted)).toHaveLength(count)
}

/** `payment_action` rows of a channel as `action status`, oldest first. */
export async function actionsOf(t: TestPayment, channel: ChannelRecord) {
  const rows = await t.database.db.paymentAction.findMany({
    where: { channel: channel.address },
    orderBy: { id: 'asc' },
  })
  return rows.map((r) => `${r.action} ${r.status}`)
}

/**
 * A core with alice, bob and carol, and the helpers that read and write through it. `start()`
 * in `beforeAll` (it returns the core and the parties), `stop()` in `afterAll`.
 *
 * @example
 * const kit = paymentKit()
 * beforeAll(async () => ({ t, alice, bob } = await kit.start()))
 * afterAll(() => kit.stop())
 * const channel = await kit.open()
 */
export function paymentKit() {
  /** The first core and the second cores on its testbed and database (stopped before it). */
  let cores: PaymentCores | undefined
  let core: TestPayment | undefined
  let alice: Service
  let bob: Service
  let aliceKey: Hex
  const t = (): TestPayment => {
    if (!core) throw new Error('paymentKit: call start() first')
    return core
  }

  /** Every payment_accepted row, with numbers as bigint. */
  async function acceptedRows() {
    const rows = await t().database.db.paymentAccepted.findMany({
      orderBy: [{ channel: 'asc' }, { tokenId: 'asc' }],
    })
    return rows.map((row) => ({
      channel: row.channel,
      tokenId: bigintOf(row.tokenId),
      highest: bigintOf(row.highest),
      signature: row.signature,
      counts: row.counts,
      accepted: bigintOf(row.accepted),
      lastAcceptedAt: row.lastAcceptedAt.getTime(),
    }))
  }

  const chainState = async (channel: ChannelRecord) =>
    (await t().server.channelStates.get(channel.address)).state

  /** A second core on the same testbed, database and keystore, with its own settings. */
  async function secondCore(settings: Parameters<typeof testSettings>[0] = {}) {
    const first = t()
    return (cores as PaymentCores).core(first, sameTeam(first, settings))
  }

  const kit = {
    async start() {
      cores = await startPaymentCores()
      core = await cores.core()
      alice = (await core.service('alice')).service
      bob = (await core.service('bob', { price: 1_000n })).service
      const carol = (await core.service('carol', { price: 1_000n })).service
      aliceKey = await core.server.services.privateKey(alice)
      const bobKey = await core.server.services.privateKey(bob)
      return { t: core, alice, bob, carol, aliceKey, bobKey }
    },

    async stop() {
      await cores?.stop()
    },

    /**
     * A fresh channel from alice (through the factory, with her key) to `provider`, known to the
     * server. The kit's `channel()` is get-or-create, so it would hand every test the same one.
     */
    async open({
      provider = bob,
      deposit = 1_000_000n,
      costPerRequest = 1_000n,
    }: {
      provider?: Service
      deposit?: bigint
      costPerRequest?: bigint
    } = {}): Promise<ChannelRecord> {
      const { channel } = await t().testbed.openChannel({
        consumer: privateKeyToAccount(aliceKey),
        provider: provider.address,
        costPerRequest,
        value: deposit,
      })
      const record = await t().server.channels.find(channel)
      if (!record) throw new Error(`channel ${channel} is not known to the server`)
      return record
    },

    /** A wire token for `channel`, signed by alice unless another key or chain is given. */
    wire({
      channel,
      tokenId = 1n,
      requests,
      key = aliceKey,
      chainId = t().server.chainId,
      wireChainId = chainId,
    }: {
      channel: Address
      tokenId?: bigint
      requests: bigint
      key?: Hex
      chainId?: number
      wireChainId?: number
    }): string {
      const token = signTokenNative({ privateKey: key, chainId, channel, tokenId, requests })
      return formatToken({ chainId: wireChainId, token })
    },

    acceptedRows,

    /** The payment_accepted row of one token ID of a channel. */
    async acceptedRow(channel: Address, tokenId = 1n) {
      return (await acceptedRows()).find((row) => row.channel === channel && row.tokenId === tokenId)
    },

    /** Verifies `token` as `service`, expects a refusal with `code`, and that no row changed. */
    async expectRefused(service: Service, token: string, code: string, status = 402) {
      const before = await acceptedRows()
      const outcome = await t().server.verifier.verify(service, token)
      expect(outcome).toMatchObject({ accepted: false, code, status })
      expect(await acceptedRows()).toEqual(before)
      if (outcome.accepted) throw new Error('unreachable: the outcome was checked above')
      return outcome
    },

    chainState,

    /** The provider (bob) starts the redemption of the active token ID; returns the new active ID. */
    async startRedemption(channel: ChannelRecord): Promise<bigint> {
      const state = await chainState(channel)
      await t().server.channels.act(channel, bob, 'startRedemption', [state.lastTokenId + 1n])
      return state.lastTokenId + 1n
    },

    /** The highest count taken of a token ID of `channel` (payment_issued), 0 when none. */
    async highestTaken(channel: ChannelRecord, tokenId = 1n): Promise<bigint> {
      const row = await t().database.db.paymentIssued.findFirst({
        where: { channel: channel.address, tokenId: tokenId.toString() },
      })
      return row ? bigintOf(row.requests) : 0n
    },

    /** `n` tokens of `channel` from `server`, one call after the other (a steady consumer). */
    async issueOneByOne(server: TestPayment['server'], channel: ChannelRecord, n: number) {
      const tokens: string[] = []
      for (let i = 0; i < n; i++)
        tokens.push(...(await server.issuer.issue({ channel, consumer: alice, count: 1 })).tokens)
      await server.issuer.idle() // a refill may still be on its way
      return tokens
    },

    secondCore,

    /** A second core that issued 200 tokens of a fresh channel one by one and holds counts ahead. */
    async secondCoreHolding() {
      const first = await secondCore()
      const channel = await kit.open()
      const tokens = await kit.issueOneByOne(first.server, channel, 200)
      const held = first.server.issuer.held(channel.address)
      expect(held).toBeGreaterThan(0)
      return { first, channel, tokens, held }
    },
  }
  return kit
}

/** A TCP proxy to `port` on 127.0.0.1 that can be closed (refusing connections) and opened again. */
export async function tcpProxy(port: number) {
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  let listenPort = 0
  async function open() {
    server = net.createServer((client) => {
      const upstream = net.connect(port, '127.0.0.1')
      for (const s of [client, upstream]) {
        sockets.add(s)
        s.on('close', () => sockets.delete(s))
        s.on('error', () => {})
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve) => (server as net.Server).listen(listenPort, '127.0.0.1', resolve))
    listenPort = (server.address() as net.AddressInfo).port
  }
  await open()
  return {
    url: `http://127.0.0.1:${listenPort}`,
    open,
    async close() {
      const closing = new Promise((resolve) => (server?.listening ? server.close(resolve) : resolve(null)))
      for (const s of sockets) s.destroy()
      await closing
    },
  }
}
