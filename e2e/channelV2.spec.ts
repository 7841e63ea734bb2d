import { expect, test } from '@playwright/test'
import { keccak256, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { intermediaryV2Abi } from '../contracts/generated'
import { signTokenV2 } from '../packages/payment-client/src/tokenV2'
import { waitForIndexed } from './kit/api'
import { advanceTime, chain, minedOk, openV2Channel, testClient, walletFor } from './kit/chain'

/*
 * A version 2 channel's explorer page at desktop and phone widths: its version, its prices by
 * category, its price history, and a redemption's counts per category in the timeline, after
 * a life with a price change on the stack's chain (the stack deploys IntermediaryFactoryV2).
 */

// Keys of this spec alone (funded below), so no other spec's account moves.
const consumer = privateKeyToAccount(keccak256(stringToHex('channel-inspector e2e v2 page consumer')))
const provider = privateKeyToAccount(keccak256(stringToHex('channel-inspector e2e v2 page provider')))

test('a v2 channel page shows its version, prices by category, price history and counts per category', async ({
  page,
  request,
}, info) => {
  for (const a of [consumer, provider]) await testClient.setBalance({ address: a.address, value: 10n ** 20n })
  const [cw, pw] = [await walletFor(consumer), await walletFor(provider)]
  const mined = minedOk
  const channel = await openV2Channel(cw, provider.address, [1_000n, 5_000n], 100_000n)
  const call = (functionName: string, args: readonly unknown[]) =>
    pw.writeContract({ address: channel, abi: intermediaryV2Abi, functionName, args } as never).then(mined)
  await call('startRedemption', [])
  await advanceTime(61)
  const token = await signTokenV2({
    account: consumer,
    chainId: await chain.getChainId(),
    channel,
    tokenId: 1n,
    prices: [1_000n, 5_000n],
    requests: [3n, 2n],
  })
  await call('redeem', [[3n, 2n], [1_000n, 5_000n], token.signature])
  const last = await call('startRedemptionWithPrices', [[2_000n, 7_000n]])
  await waitForIndexed(request, last.blockNumber)

  // The list: the cheapest active price and the number of categories.
  await page.goto('/channels')
  await expect(page.locator(`[data-testid="channel-row"][data-address="${channel}"]`)).toContainText(
    '2 categories',
  )

  await page.goto(`/channels/${channel}`)
  await expect(page.getByTestId('channel-version')).toContainText('2')
  const categories = page.getByTestId('channel-category')
  await expect(categories).toHaveCount(2)
  await expect(categories.first().getByTestId('channel-category-name')).toHaveText('category 1')
  await expect(categories.nth(1).getByTestId('channel-category-price')).toHaveAttribute('data-wei', '7000')
  await expect(page.getByTestId('price-announcement')).toHaveCount(2)
  await expect(page.getByTestId('price-announcement').first()).toHaveAttribute('data-from', '3')
  const redeemed = page.locator('[data-testid="event-row"][data-name="Redeemed"]')
  await expect(redeemed.locator('[data-name="requests"] [data-testid="arg-item"]')).toHaveText([
    'category 1: 3',
    'category 2: 2',
  ])
  // Nothing wider than the screen (the phone project's viewport too).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow).toBeLessThanOrEqual(0)
  await page.screenshot({ path: info.outputPath(`channel-v2-${info.project.name}.png`), fullPage: true })
})
