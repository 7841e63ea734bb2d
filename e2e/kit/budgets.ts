import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type APIRequestContext, expect } from '@playwright/test'
import { type Address, type Hex, keccak256, parseEther, parseEventLogs, parseGwei, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { intermediaryAbi, intermediaryFactoryAbi } from '../../contracts/generated'
import type { CostGraph } from '../../lib/costs/api'
import { signTokenNative } from '../../lib/server/tokenCrypto'
import { adminKey, dataDir, factoryAddress, getJson } from './api'
import { advanceTime, anvilUrl, chain, testClient, walletFor } from './chain'

/*
 * The budgets spec's world (e2e/budgets.spec.ts): a buyer of a fresh team paying a seller 400
 * gwei on chain, a local webhook receiver, and the runner role (npm run start:runner) on the
 * stack's database, which the stack under test runs without (PAYMENT_RUNNER=off).
 */

const id = randomBytes(4).toString('hex')
const keyOf = (role: string) => keccak256(stringToHex(`channel-inspector e2e budgets ${role} ${id}`))
export const buyerKey = keyOf('buyer')
export const buyer = privateKeyToAccount(buyerKey)
export const seller = privateKeyToAccount(keyOf('seller'))
export const team = `e2e-budget-${id}`
export const PRICE = parseGwei('10')
export const REQUESTS = 40n
/** What the buyer paid: 40 × 10 gwei. */
export const SPENT = PRICE * REQUESTS

/** The buyer opens a channel to the seller, who redeems 40 requests; waits until indexed and final. */
export async function buyerPays(request: APIRequestContext): Promise<void> {
  for (const a of [buyer, seller]) await testClient.setBalance({ address: a.address, value: parseEther('1') })
  const factory = await factoryAddress(request)
  const mined = async (hash: Hex) => {
    const receipt = await chain.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    expect(receipt.status, hash).toBe('success')
    return receipt
  }
  const buyerWallet = await walletFor(buyer)
  const sellerWallet = await walletFor(seller)
  const opened = await mined(
    await buyerWallet.writeContract({
      address: factory,
      abi: intermediaryFactoryAbi,
      functionName: 'open',
      args: [seller.address, PRICE, 60n, 600n],
      value: parseEther('0.001'),
    }),
  )
  const [event] = parseEventLogs({
    abi: intermediaryFactoryAbi,
    logs: opened.logs,
    eventName: 'ChannelOpened',
  })
  const channel = event?.args.channel as Address
  await mined(
    await sellerWallet.writeContract({
      address: channel,
      abi: intermediaryAbi,
      functionName: 'startRedemption',
      args: [2n],
    }),
  )
  await advanceTime(61)
  const token = signTokenNative({
    privateKey: buyerKey,
    chainId: await chain.getChainId(),
    channel,
    tokenId: 1n,
    requests: REQUESTS,
  })
  await mined(
    await sellerWallet.writeContract({
      address: channel,
      abi: intermediaryAbi,
      functionName: 'redeem',
      args: [REQUESTS, token.signature],
    }),
  )
  await testClient.mine({ blocks: 12 })
  await expect
    .poll(
      async () => {
        const g = await getJson<CostGraph>(request, '/api/costs/graph?window=all')
        const edge = g.edges.find((e) => e.consumer === buyer.address.toLowerCase())
        return edge && `${edge.settled} ${edge.unconfirmed}`
      },
      { message: "the buyer's redemption is indexed and final", timeout: 60_000, intervals: [500] },
    )
    .toBe(`${SPENT} 0`)
  const labelled = await request.post('/api/services/labels', {
    headers: { authorization: `Bearer ${adminKey()}` },
    data: { address: buyer.address.toLowerCase(), name: `e2e-buyer-${id}`, team, version: 0 },
  })
  expect(labelled.status(), await labelled.text()).toBe(200)
}

/** A webhook receiver on 127.0.0.1: every call's path and JSON body. */
export async function startReceiver() {
  const calls: Array<{ path: string; body: Record<string, unknown> }> = []
  const server = http.createServer((req, res) => {
    let text = ''
    req.on('data', (c) => {
      text += c
    })
    req.on('end', () => {
      calls.push({ path: req.url ?? '', body: JSON.parse(text || '{}') })
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const secret = `T0/B0/e2e-${id}-secret`
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/${secret}`,
    secret,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/**
 * The runner role on the stack's database and chain, evaluating alerts every round: the
 * instance that delivers them. Its output is kept (`lines`) to check no webhook URL is logged.
 */
export async function startRunner(request: APIRequestContext) {
  const credentials = JSON.parse(readFileSync(join(dataDir, 'postgres', 'credentials.json'), 'utf8')) as {
    user: string
    password: string
  }
  const secrets = JSON.parse(readFileSync(join(dataDir, 'payment-secrets.json'), 'utf8')) as {
    adminKey: string
    keystoreSecret: string
  }
  const port = process.env.E2E_PG_PORT ?? '54331'
  const lines: string[] = []
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'stack/roles/runner.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: `postgresql://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/app`,
      RPC_URL: anvilUrl,
      FACTORY_ADDRESS: await factoryAddress(request),
      PAYMENT_ADMIN_KEY: secrets.adminKey,
      PAYMENT_KEYSTORE_SECRET: secrets.keystoreSecret,
      PAYMENT_RUNNER_INTERVAL_MS: '300',
      ALERTS_EVALUATE_MS: '0',
      // The test's webhook receiver is on 127.0.0.1, an address the sender refuses otherwise (SSRF).
      ALERTS_ALLOW_PRIVATE_WEBHOOKS: 'true',
      RUNNER_PORT: '0',
      LOG_FORMAT: 'pretty',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk) => lines.push(String(chunk)))
  await expect
    .poll(() => lines.join(''), { message: 'the runner role starts', timeout: 60_000 })
    .toContain('running the Payment Server')
  return {
    lines,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
