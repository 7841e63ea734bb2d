import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type APIRequestContext, expect } from '@playwright/test'
import type { Address } from 'viem'

/** Where the stack under test writes its files (playwright.config.ts: DATA_DIR). */
export const dataDir = process.env.E2E_DATA_DIR ?? '.data/e2e'

/** The Payment Server's admin key, as the stack under test wrote it. */
export const adminKey = () =>
  (JSON.parse(readFileSync(join(dataDir, 'payment-secrets.json'), 'utf8')) as { adminKey: string }).adminKey

/** GET `path` of the app under test, expecting 200, as parsed JSON. */
export async function getJson<T>(request: APIRequestContext, path: string): Promise<T> {
  const res = await request.get(path)
  expect(res.status(), `GET ${path}: ${await res.text()}`).toBe(200)
  return (await res.json()) as T
}

/** The factory the stack deployed (GET /api/health). */
export async function factoryAddress(request: APIRequestContext): Promise<Address> {
  const health = await getJson<{ factory: { address: string } }>(request, '/api/health')
  expect(health.factory.address).toMatch(/^0x[0-9a-fA-F]{40}$/)
  return health.factory.address.toLowerCase() as Address
}

/** Waits until GET /api/status says the indexer has written block `number` (or a later one). */
export async function waitForIndexed(request: APIRequestContext, number: bigint | string): Promise<void> {
  await expect
    .poll(
      async () => {
        const status = await getJson<{ indexedHead: { number: string } | null }>(request, '/api/status')
        return BigInt(status.indexedHead?.number ?? '-1')
      },
      { message: `indexedHead reaches block ${number}`, timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(BigInt(number))
}
