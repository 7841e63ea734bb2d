import type { PlaywrightTestArgs, PlaywrightWorkerArgs, TestInfo } from '@playwright/test'
import type { TxDetail } from '../../lib/explorer/api'
import { type Activity, explorerActivity } from './activity'
import { factoryAddress, getJson, waitForIndexed } from './api'
import { type ExpectedTx, expectedTransactions } from './expected'

/**
 * What the explorer specs (explorer.api.spec.ts, explorer.pages.spec.ts) read back: the chain
 * activity, made once per stack (see {@link explorerActivity}), indexed, and what the explorer
 * must show for each of its transactions. Each spec calls it from its `beforeAll`.
 */
export async function readExplorerActivity(
  { playwright }: Pick<PlaywrightWorkerArgs, 'playwright'>,
  info: TestInfo,
): Promise<{ activity: Activity; expected: ExpectedTx[] }> {
  const request = await playwright.request.newContext({ baseURL: info.project.use.baseURL })
  try {
    const activity = await explorerActivity(await factoryAddress(request))
    await waitForIndexed(request, activity.lastBlock)
    return { activity, expected: await expectedTransactions(activity) }
  } finally {
    await request.dispose()
  }
}

/** The expected transaction of that label. */
export const txByLabel = (expected: ExpectedTx[], label: string) => {
  const tx = expected.find((t) => t.label === label)
  if (!tx) throw new Error(`no transaction labelled ${label}`)
  return tx
}

/** The labels of the activity's transactions, one test each. */
export const txLabels = ['open', 'deposit', 'startRedemption', 'redeem', 'failed deposit', 'ether transfer']

export const txDetail = (request: PlaywrightTestArgs['request'], hash: string) =>
  getJson<TxDetail>(request, `/api/tx/${hash}`)
