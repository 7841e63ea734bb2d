import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, type Locator, type Page } from '@playwright/test'
import pg from 'pg'
import { costNetwork, seedCostNetwork, unseedCostNetwork } from '../../scripts/bench/costNetwork'
import { dataDir } from './api'

/*
 * A 200-service network for e2e/costsGraph.spec.ts, written straight into the stack's database
 * (as bench:costs seeds, scripts/bench/costNetwork.ts) on one day of 2021, long before any of
 * the chain's own payments, so that a custom window shows it alone; removed again afterwards.
 */

/** The seeded network: services `cg-0` … `cg-199` in teams `team-cg-0` … `team-cg-19`. */
export const graphNetwork = costNetwork({ services: 200, channels: 900, prefix: 0xc9, name: 'cg' })

/** The day the network's payments fall on, and the custom window that shows just them. */
export const GRAPH_DAY = { from: Date.UTC(2021, 0, 4) / 1000, to: Date.UTC(2021, 0, 5) / 1000 }
export const graphWindow = 'from=2021-01-04T00:00&to=2021-01-05T00:00'

/** The stack's database (playwright.config.ts: E2E_PG_PORT, the embedded Postgres's credentials). */
async function stackDatabase(): Promise<pg.Client> {
  const { user, password } = JSON.parse(
    readFileSync(join(dataDir, 'postgres', 'credentials.json'), 'utf8'),
  ) as {
    user: string
    password: string
  }
  const port = process.env.E2E_PG_PORT ?? '54331'
  const client = new pg.Client({ host: '127.0.0.1', port: Number(port), user, password, database: 'app' })
  await client.connect()
  return client
}

/** Writes the network (after removing any left by an earlier run) with 20,000 redemptions. */
export async function seedGraphNetwork(chainId: number): Promise<void> {
  const client = await stackDatabase()
  try {
    await unseedCostNetwork(client, graphNetwork, chainId)
    await seedCostNetwork(client, graphNetwork, { chainId, events: 20_000, ...GRAPH_DAY })
  } finally {
    await client.end()
  }
}

/** Removes the network, so that the other specs see the stack's database as before. */
export async function unseedGraphNetwork(chainId: number): Promise<void> {
  const client = await stackDatabase()
  try {
    await unseedCostNetwork(client, graphNetwork, chainId)
  } finally {
    await client.end()
  }
}

export const serviceNamed = (name: string) =>
  graphNetwork.services.find((s) => s.name === name) as (typeof graphNetwork.services)[number]

export const graphNode = (page: Page, address: string): Locator =>
  page.locator(`[data-testid="graph-node"][data-address="${address}"]`)
export const teamNode = (page: Page, team: string): Locator =>
  page.locator(`[data-testid="graph-team"][data-team="${team}"]`)

/** The canvas's pan and zoom, as React Flow applies them (`translate(x, y) scale(k)`). */
export async function viewport(page: Page): Promise<{ x: number; y: number; k: number }> {
  const transform = await page
    .locator('.react-flow__viewport')
    .evaluate((el) => (el as HTMLElement).style.transform)
  const m = /translate\(([-\d.e]+)px, ([-\d.e]+)px\) scale\(([-\d.e]+)\)/.exec(transform)
  expect(m, transform).not.toBeNull()
  return { x: Number(m?.[1]), y: Number(m?.[2]), k: Number(m?.[3]) }
}

/** Waits until the viewport stops moving (fits and focus animate) and returns it. */
export async function settledViewport(page: Page): Promise<{ x: number; y: number; k: number }> {
  let last = JSON.stringify(await viewport(page))
  await expect
    .poll(async () => {
      const now = JSON.stringify(await viewport(page))
      const same = now === last
      last = now
      return same
    })
    .toBe(true)
  return JSON.parse(last) as { x: number; y: number; k: number }
}
