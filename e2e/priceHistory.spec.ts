import { expect, test } from '@playwright/test'
import { keccak256, parseEther, parseGwei, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { intermediaryV2Abi } from '../contracts/generated'
import { signTokenV2 } from '../packages/payment-client/src/tokenV2'
import { waitForIndexed } from './kit/api'
import { advanceTime, chain, minedOk, openV2Channel, testClient, walletFor } from './kit/chain'
import { horizontalOverflow, screenshot } from './kit/pages'

/*
 * Costs by request category on the pages (issue 29 point 4): a version 2 channel with two
 * categories whose prices change at a redemption, made on the stack's chain; its provider's
 * service page shows the channel's prices and its price history (each table, when, requests
 * bought at each price), and /costs by pair a row per category. Desktop and phone widths.
 */

// Keys of this spec alone and of each project (funded below): no other spec's account moves, and
// the phone run's pair is not the desktop run's.
const party = (role: string, project: string) =>
  privateKeyToAccount(keccak256(stringToHex(`channel-inspector e2e price history ${role} ${project}`)))
const OPENING = [parseGwei('2'), parseGwei('7')]
const RAISED = [parseGwei('3'), parseGwei('6')]

test('a service page shows a v2 channel’s price history, and /costs a pair row per category', async ({
  page,
  request,
}, info) => {
  const [consumer, provider] = [party('consumer', info.project.name), party('provider', info.project.name)]
  for (const a of [consumer, provider]) await testClient.setBalance({ address: a.address, value: 10n ** 20n })
  const [cw, pw] = [await walletFor(consumer), await walletFor(provider)]
  const mined = minedOk
  const channel = await openV2Channel(cw, provider.address, OPENING, parseEther('0.001'))
  const chainId = await chain.getChainId()
  const call = (functionName: string, args: readonly unknown[]) =>
    pw.writeContract({ address: channel, abi: intermediaryV2Abi, functionName, args } as never).then(mined)
  const redeem = async (tokenId: bigint, prices: bigint[], requests: bigint[]) => {
    const { signature } = await signTokenV2({
      account: consumer,
      chainId,
      channel,
      tokenId,
      prices,
      requests,
    })
    return call('redeem', [requests, prices, signature])
  }
  // Token ID 1 at the opening prices; ID 2 too (its redemption start announces ID 3's); ID 3 raised.
  await call('startRedemption', [])
  await advanceTime(61)
  await redeem(1n, OPENING, [3n, 2n])
  await call('startRedemptionWithPrices', [RAISED])
  await advanceTime(61)
  await redeem(2n, OPENING, [4n, 1n])
  await call('startRedemption', [])
  await advanceTime(61)
  const last = await redeem(3n, RAISED, [1n, 1n])
  await waitForIndexed(request, last.blockNumber)

  await page.goto(`/services/${provider.address.toLowerCase()}?window=all&unit=gwei`)
  const row = page.locator(`[data-testid="service-channel"][data-address="${channel}"]`)
  await expect(row.locator('[data-testid="category-prices"] .category-price')).toHaveCount(2)
  const history = page.locator(`[data-testid="price-history"][data-channel="${channel}"]`)
  const rows = history.getByTestId('price-row')
  await expect(rows).toHaveCount(4)
  const cells = await rows.evaluateAll((trs) =>
    trs.map((tr) =>
      ['from', 'category', 'price', 'requests', 'paid'].map((k) => tr.getAttribute(`data-${k}`)),
    ),
  )
  expect(cells).toEqual([
    ['1', 'category 1', OPENING[0]!.toString(), '7', (7n * OPENING[0]!).toString()],
    ['1', 'category 2', OPENING[1]!.toString(), '3', (3n * OPENING[1]!).toString()],
    ['3', 'category 1', RAISED[0]!.toString(), '1', RAISED[0]!.toString()],
    ['3', 'category 2', RAISED[1]!.toString(), '1', RAISED[1]!.toString()],
  ])
  // Its caller's row lists the pair's categories under it, largest first (27 then 17 gwei).
  const split = page.getByTestId('callers-category')
  await expect(split).toHaveCount(2)
  expect(await split.evaluateAll((trs) => trs.map((tr) => [tr.dataset.category, tr.dataset.wei]))).toEqual([
    ['category 2', parseGwei('27').toString()],
    ['category 1', parseGwei('17').toString()],
  ])
  // The raised category reads ▲ against the table before, the lowered one ▼.
  await expect(rows.nth(2).locator('.price-up')).toHaveCount(1)
  await expect(rows.nth(3).locator('.price-down')).toHaveCount(1)
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
  await history.scrollIntoViewIfNeeded()
  await screenshot(page, info, 'price-history')

  // /costs by pair: this pair is a row per category, largest settled first (27 then 17 gwei).
  await page.goto('/costs?window=all&rows=all&groupBy=pair&unit=gwei')
  const pairRows = page.getByTestId('cost-table-row').filter({
    has: page.locator(`td[data-col="provider_address"][data-value="${provider.address.toLowerCase()}"]`),
  })
  await expect(pairRows).toHaveCount(2)
  const pairs = await pairRows.evaluateAll((trs) =>
    trs.map((tr) =>
      ['category', 'requests', 'settled_wei'].map((k) =>
        tr.querySelector(`td[data-col="${k}"]`)?.getAttribute('data-value'),
      ),
    ),
  )
  expect(pairs).toEqual([
    ['category 2', '4', parseGwei('27').toString()],
    ['category 1', '8', parseGwei('17').toString()],
  ])
})
