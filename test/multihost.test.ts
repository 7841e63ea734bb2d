import { createPublicClient, createWalletClient, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from '../lib/server/db/client'
import { ANVIL_KEYS } from '../stack/anvil'
import { type Deployment, deploy, type RoleProcess, until } from './kit/multihost'
import { netnsUnavailable } from './kit/netns'

/*
 * Issue 27, "several hosts, really": the roles on hosts of their own (a namespace each): a
 * Postgres host, a chain host, two web hosts, two indexer hosts. Paid traffic goes through both
 * web hosts; then one web host and the leading indexer's host are cut off the network (and later
 * killed). Traffic goes on through the other web host, the standby indexer takes over, every
 * event is indexed once, every accepted count is accepted once and redeemed.
 */
const unavailable = await netnsUnavailable()
const PRICE = 1_000n

type Api = { status: number; body: Record<string, unknown> }
async function call(url: string, path: string, key: string, body?: unknown): Promise<Api> {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe.skipIf(unavailable !== null)(
  `the product on several hosts${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let d: Deployment
    beforeAll(async () => {
      d = await deploy({
        env: {
          PAYMENT_REDEEM_AFTER_SECONDS: '3',
          INDEXER_LEASE_SECONDS: '3',
          PAYMENT_RUNNER_INTERVAL_MS: '500',
        },
      })
    }, 300_000)
    afterAll(async () => {
      await d?.stop()
    })

    it('keeps serving and indexing when a web host and the leading indexer host drop off the network', async () => {
      const [web1, web2] = d.webs as [RoleProcess, RoleProcess]
      // Two services of a team, registered through web1, their channel opened through web2.
      const register = async (name: string) => {
        const answer = await call(web1.url, '/api/payment/services', d.adminKey, {
          name,
          team: 'team',
          price: PRICE.toString(),
        })
        expect(answer.status, JSON.stringify(answer.body)).toBe(201)
        return answer.body as { apiKey: string; service: { address: `0x${string}` } }
      }
      const shop = await register('shop')
      const billing = await register('billing')
      const funder = createWalletClient({
        account: privateKeyToAccount(ANVIL_KEYS[9]),
        transport: http(d.rpcUrl),
      })
      const chain = createPublicClient({ transport: http(d.rpcUrl) })
      const chainId = await chain.getChainId()
      // Ether for the consumer's deposits and the provider's redemptions (their gas).
      for (const to of [shop.service.address, billing.service.address])
        await chain.waitForTransactionReceipt({
          hash: await funder.sendTransaction({ chain: null, to, value: parseEther('10') }),
        })
      const opened = await call(web2.url, '/api/payment/channels', shop.apiKey, {
        provider: 'billing',
        deposit: parseEther('1').toString(),
        redemptionTimeout: 5,
      })
      expect(opened.status, JSON.stringify(opened.body)).toBe(201)

      // Paid traffic through both web hosts: issued on one, verified on the other.
      const accepted: string[] = []
      const pair = async (issueAt: RoleProcess, verifyAt: RoleProcess) => {
        const issued = await call(issueAt.url, '/api/payment/tokens', shop.apiKey, { provider: 'billing' })
        expect(issued.status, JSON.stringify(issued.body)).toBe(200)
        const token = (issued.body.tokens as string[])[0] as string
        const verified = await call(verifyAt.url, '/api/payment/tokens/verify', billing.apiKey, { token })
        expect(verified.status, JSON.stringify(verified.body)).toBe(200)
        accepted.push(token)
      }
      for (let i = 0; i < 60; i++)
        await pair(d.webs[i % 2] as RoleProcess, d.webs[(i + 1) % 2] as RoleProcess)

      // Who leads the indexers? Cut its host and web1 off the network.
      const leaderOf = async (web: RoleProcess) => {
        const status = await (
          await fetch(`${web.url}/api/status`, { signal: AbortSignal.timeout(5_000) })
        ).json()
        return (status as { leader: { instance: string } | null }).leader?.instance
      }
      await until('an indexer to lead', async () => (await leaderOf(web2)) !== undefined)
      const leaderName = await leaderOf(web2)
      const leading = d.indexers.find((r) => r.host.name === leaderName) as RoleProcess
      const standby = d.indexers.find((r) => r !== leading) as RoleProcess
      expect(leading, `leader ${leaderName}`).toBeDefined()
      await web1.host.cut()
      await leading.host.cut()

      // Traffic goes on through web2; the chain moves on (the consumer's deposit, through web2).
      for (let i = 0; i < 40; i++) await pair(web2, web2)
      const channel = (opened.body.channel as { address: string }).address
      const deposit = await call(web2.url, `/api/payment/channels/${channel}/deposit`, shop.apiKey, {
        amount: parseEther('0.5').toString(),
      })
      expect(deposit.status, JSON.stringify(deposit.body)).toBe(200)
      // The standby takes over; then the cut hosts' processes die.
      await until(
        'the standby indexer to lead',
        async () => (await leaderOf(web2)) === standby.host.name,
        90_000,
      )
      for (const cut of [web1, leading]) process.kill(-(cut.child.process.pid as number), 'SIGKILL')

      // Every accepted count was accepted once: a replay of each is refused, through web2.
      expect(new Set(accepted).size).toBe(100)
      const replay = await call(web2.url, '/api/payment/tokens/verify', billing.apiKey, {
        token: accepted[0],
      })
      expect(replay.status).toBe(402)

      // ...and redeemed: the chain pays the highest count of each token ID the provider accepted
      // (counts an instance cut off had taken ahead and never issued are paid, never more).
      const db = createDb({ databaseUrl: d.databaseUrl, max: 2 })
      try {
        const rows = async () => db.paymentAccepted.findMany({ where: { chainId, channel } })
        expect((await rows()).reduce((sum, row) => sum + BigInt(row.accepted.toFixed()), 0n)).toBe(100n)
        const owed = async () =>
          String((await rows()).reduce((sum, row) => sum + BigInt(row.highest.toFixed()), 0n) * PRICE)
        const redeemed = async () =>
          (
            await db.channel.findUnique({ where: { chainId_address: { chainId, address: channel } } })
          )?.totalRedeemed.toFixed()
        const json = (value: unknown) =>
          JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
        await until(
          'every accepted count to be redeemed and indexed',
          async () => (await redeemed()) === (await owed()),
          180_000,
        ).catch(async (error: Error) => {
          const state = await db.paymentChannel.findMany({ where: { chainId, address: channel } })
          throw new Error(
            `${error.message}: indexed redeemed ${await redeemed()} wei; accepted ${json(await rows())}; payment channel ${json(state)}\n--- web2:\n${web2.output.slice(-30).join('\n')}`,
          )
        })

        // Every event of the factory and its channels is indexed, once: the same set as the chain's.
        const head = await chain.getBlockNumber()
        await until('the indexer to reach the head', async () => {
          const state = await db.indexerState.findFirst({ where: { chainId } })
          return state?.cursorNumber != null && state.cursorNumber >= head
        })
        const logs = await chain.getLogs({ fromBlock: 0n, toBlock: head })
        const channels = new Set((await db.channel.findMany({ where: { chainId } })).map((c) => c.address))
        const ours = logs.filter(
          (l) => l.address.toLowerCase() === d.factory.toLowerCase() || channels.has(l.address.toLowerCase()),
        )
        const events = await db.event.findMany({ where: { chainId, blockNumber: { lte: head } } })
        const key = (blockHash: string, logIndex: number) => `${blockHash.toLowerCase()}:${logIndex}`
        expect(events.map((e) => key(e.blockHash, e.logIndex)).sort()).toEqual(
          ours.map((l) => key(l.blockHash as string, l.logIndex as number)).sort(),
        )
      } finally {
        await db.$disconnect()
      }
    }, 600_000)
  },
)
