import { expect, type Page, test } from '@playwright/test'
import { createPublicClient, http } from 'viem'

/** The anvil of the stack under test (playwright.config.ts starts it on this port). */
const anvilUrl = `http://127.0.0.1:${process.env.E2E_ANVIL_PORT ?? '8555'}`
const chain = createPublicClient({ transport: http(anvilUrl), cacheTime: 0 })

/** The head block number the page shows ("#123"). */
async function shownHeadBlock(page: Page): Promise<bigint> {
  return BigInt(((await page.getByTestId('head-block').textContent()) ?? '').replace('#', ''))
}

test('home page shows the chain id and head block of the running chain', async ({ page }, info) => {
  const chainId = await chain.getChainId()
  const before = await chain.getBlockNumber({ cacheTime: 0 })

  await page.goto('/')
  await expect(page.getByTestId('chain-id')).toHaveText(String(chainId))
  const shown = await shownHeadBlock(page)
  const after = await chain.getBlockNumber({ cacheTime: 0 })
  expect(shown).toBeGreaterThanOrEqual(before)
  expect(shown).toBeLessThanOrEqual(after)

  const factory = await page.getByTestId('factory-address').textContent()
  expect(factory).toMatch(/^0x[0-9a-f]{40}$/)
  expect(await chain.getCode({ address: factory as `0x${string}` })).not.toBe('0x')

  await page.screenshot({ path: info.outputPath('home.png'), fullPage: true })
})

test('head block updates live as the chain advances', async ({ page }) => {
  await page.goto('/')
  const first = await shownHeadBlock(page)
  await chain.request({ method: 'evm_mine' as never, params: [] as never })
  await expect.poll(() => shownHeadBlock(page), { timeout: 15_000 }).toBeGreaterThan(first)
})

test('/api/health reports database and chain with chain id and head block', async ({ request }) => {
  const res = await request.get('/api/health')
  expect(res.status()).toBe(200)
  const body = await res.json()
  expect(body.status).toBe('ok')
  expect(body.database.ok).toBe(true)
  expect(body.chain.ok).toBe(true)
  expect(body.chain.chainId).toBe(await chain.getChainId())
  expect(BigInt(body.chain.headBlock)).toBeLessThanOrEqual(await chain.getBlockNumber({ cacheTime: 0 }))
  // The node answers: the Payment Server serves fresh channel state.
  expect(body.paymentStaleState).toBeNull()
  expect(JSON.stringify(body)).not.toMatch(/postgres(ql)?:\/\//)
})

test('pages are served with protective headers and no framework banner', async ({ request }) => {
  const res = await request.get('/')
  expect(res.status()).toBe(200)
  const headers = res.headers()
  expect(headers['x-content-type-options']).toBe('nosniff')
  expect(headers['x-frame-options']).toBe('DENY')
  expect(headers['referrer-policy']).toBe('no-referrer')
  expect(headers['x-powered-by']).toBeUndefined()
})
