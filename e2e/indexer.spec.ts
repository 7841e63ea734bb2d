import { expect, test } from '@playwright/test'
import { createPublicClient, createWalletClient, http, parseEventLogs } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { intermediaryFactoryAbi } from '../contracts/generated'
import { ANVIL_KEYS } from '../stack/anvil'

/** The anvil of the stack under test (playwright.config.ts starts it on this port). */
const anvilUrl = `http://127.0.0.1:${process.env.E2E_ANVIL_PORT ?? '8555'}`
const chain = createPublicClient({ transport: http(anvilUrl), cacheTime: 0 })

type Status = {
  chainId: number
  chainHead: { number: string } | null
  indexedHead: { number: string } | null
  lag: { blocks: string; seconds: number } | null
  phase: string
  eventsIndexed: string
  channels: string
  lastError: unknown
}

test('the indexer started by the stack follows the chain: /api/status and the header badge', async ({
  page,
  request,
}, info) => {
  const status = async () => (await (await request.get('/api/status')).json()) as Status
  await expect.poll(async () => (await status()).phase, { timeout: 30_000 }).toBe('live')
  const before = await status()
  expect(before.chainId).toBe(await chain.getChainId())

  // A channel opened now shows up in the status counts within a few polls.
  const consumer = privateKeyToAccount(ANVIL_KEYS[5])
  const wallet = createWalletClient({
    chain: { ...foundry, rpcUrls: { default: { http: [anvilUrl] } } },
    transport: http(anvilUrl),
    account: consumer,
  })
  const body = await (await request.get('/api/health')).json()
  const hash = await wallet.writeContract({
    address: body.factory.address,
    abi: intermediaryFactoryAbi,
    functionName: 'open',
    args: [privateKeyToAccount(ANVIL_KEYS[6]).address, 1_000n, 60n, 600n],
    value: 5_000n,
  })
  const receipt = await chain.waitForTransactionReceipt({ hash })
  expect(parseEventLogs({ abi: intermediaryFactoryAbi, logs: receipt.logs })).toHaveLength(1)
  await expect
    .poll(async () => BigInt((await status()).indexedHead?.number ?? '0'), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(receipt.blockNumber)
  const after = await status()
  expect(BigInt(after.channels)).toBe(BigInt(before.channels) + 1n)
  expect(BigInt(after.eventsIndexed)).toBe(BigInt(before.eventsIndexed) + 2n) // Deposited + ChannelOpened
  expect(after.lastError).toBeNull()

  await page.goto('/')
  const badge = page.getByTestId('indexer-badge')
  await expect(badge).toHaveAttribute('data-phase', 'live')
  await expect(badge).toContainText(/Indexer: live #[\d,]+/)
  await page.screenshot({ path: info.outputPath('home-with-indexer.png') })
})
