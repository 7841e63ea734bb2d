import { expect, type Locator, test } from '@playwright/test'
import { type Address, keccak256, parseEther, parseGwei, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { intermediaryV2Abi } from '../contracts/generated'
import { formatTokenV2, signTokenV2 } from '../packages/payment-client/src/tokenV2'
import { advanceTime, chain, testClient } from './kit/chain'
import { horizontalOverflow, screenshot } from './kit/pages'
import { act, connect, walletPage } from './kit/walletPage'

/**
 * A version 2 channel driven through the dashboard by two wallets (modelled on admin.spec.ts):
 * the consumer opens it with two named categories from the open form's price table, the
 * provider redeems a first token, then announces a price change with a redemption start; the
 * channel page shows the prices by name, the change and what it does to the runway, at desktop
 * and phone width. Chain state and events are checked after each step.
 */

/** Keys of this spec only (no other spec or the example network uses them). */
const keys = {
  consumer: keccak256(stringToHex('channel-inspector e2e walletV2 consumer')),
  provider: keccak256(stringToHex('channel-inspector e2e walletV2 provider')),
}
const consumer = privateKeyToAccount(keys.consumer)
const provider = privateKeyToAccount(keys.provider)
const SMALL = parseGwei('1')
const LARGE = parseGwei('5')
const LARGE_NEW = parseGwei('6')

test.describe.configure({ mode: 'serial' })

/** The channel's PricesAnnounced events on chain, as [fromTokenId, prices]. */
async function announcements(channel: Address) {
  const logs = await chain.getContractEvents({
    address: channel,
    abi: intermediaryV2Abi,
    eventName: 'PricesAnnounced',
    fromBlock: 0n,
  })
  return logs.map((l) => [l.args.fromTokenId, l.args.prices])
}

/** The exact wei of every amount `amounts` matches, in order. */
const weiOf = (amounts: Locator) => amounts.evaluateAll((els) => els.map((e) => e.getAttribute('data-wei')))

const read = (
  channel: Address,
  functionName: 'categories' | 'activeTokenId' | 'expiringTokenId' | 'providerFunds',
) => chain.readContract({ address: channel, abi: intermediaryV2Abi, functionName })

/** A token of the consumer in the wire format, as a person would paste it. */
async function token(channel: Address, tokenId: bigint, prices: bigint[], requests: bigint[]) {
  const chainId = await chain.getChainId()
  const signed = await signTokenV2({ account: consumer, chainId, channel, tokenId, prices, requests })
  return formatTokenV2({ chainId, token: signed })
}

test('a version 2 channel through the wallet UI: open with two categories, announce a price change, see it on the page', async ({
  browser,
}, info) => {
  test.skip(
    info.project.name !== 'desktop',
    'chain activity runs once, on desktop (phone width is checked inside)',
  )
  test.setTimeout(300_000)
  for (const account of [consumer, provider]) {
    await testClient.setBalance({ address: account.address, value: parseEther('100') })
  }
  const c = await walletPage(browser, keys.consumer)
  const p = await walletPage(browser, keys.provider)
  let channel: Address = '0x'

  const form = c.page.getByTestId('open-form')
  await test.step('the consumer fills a price table of two named categories; the form checks it first', async () => {
    await c.page.goto('/channels/new')
    await connect(c.page, c.wallet)
    await form.getByTestId('open-provider-select').selectOption('__other')
    await form.getByTestId('open-provider-address').fill(provider.address)
    await form.getByTestId('open-mode-table').check()
    await expect(form.getByTestId('open-price-amount')).toHaveCount(0)
    await form.getByTestId('open-category-0-name').fill('small')
    await form.getByTestId('open-category-0-price-amount').fill('1')
    await expect(form.getByTestId('open-category-0-price-wei')).toHaveAttribute('data-wei', SMALL.toString())
    await form.getByTestId('open-category-1-name').fill('small')
    await form.getByTestId('open-category-1-price-amount').fill('5')
    await form.getByTestId('open-category-add').click()
    await expect(form.getByTestId('open-category-2')).toBeVisible()
    await form.getByTestId('open-category-2-remove').click()
    await expect(form.getByTestId('open-category-2')).toHaveCount(0)
    await form.getByTestId('open-deposit-amount').fill('0.01')
    await form.getByTestId('open-redemption-value').fill('1')
    await form.getByTestId('open-redemption-unit').selectOption('minutes')
    await form.getByTestId('open-termination-value').fill('3')
    await form.getByTestId('open-termination-unit').selectOption('minutes')
    await form.getByTestId('open-submit').click()
    await expect(form.getByTestId('open-category-1-name-error')).toHaveText(
      'Category 1 has this name already: names must differ.',
    )
    await form.getByTestId('open-category-1-name').fill('large')
    await expect(form.getByTestId('open-category-1-price-wei')).toHaveAttribute('data-wei', LARGE.toString())
    expect(c.wallet.requests.filter((r) => r.method === 'eth_sendTransaction')).toHaveLength(0)
    await screenshot(c.page, info, 'open-form-v2')
  })

  await test.step('the consumer opens it through the v2 factory and names its categories', async () => {
    await form.getByTestId('open-submit').click()
    await c.page.waitForURL(/\/channels\/0x[0-9a-f]{40}$/, { timeout: 90_000 })
    channel = c.page.url().split('/').at(-1) as Address
    expect(await read(channel, 'categories')).toBe(2n)
    expect(await announcements(channel)).toEqual([[1n, [SMALL, LARGE]]])
    expect(c.wallet.requests.some((r) => r.method === 'eth_signTypedData_v4')).toBe(true)
    const names = c.page.getByTestId('channel-category-name')
    await expect(names).toHaveText(['small', 'large'])
    expect(await weiOf(c.page.getByTestId('channel-category-price'))).toEqual([
      SMALL.toString(),
      LARGE.toString(),
    ])
    await expect(c.page.getByTestId('price-no-change')).toBeVisible()
  })

  await test.step('the provider redeems token 1 at the opening prices', async () => {
    await p.page.goto(`/channels/${channel}`)
    await connect(p.page, p.wallet)
    await expect(p.page.getByTestId('action-role')).toContainText('You are the provider')
    await act(p.page.getByTestId('action-start-redemption'))
    expect(await read(channel, 'expiringTokenId')).toBe(1n)
    await advanceTime(61)
    const card = p.page.getByTestId('action-redeem')
    await expect(card).toHaveAttribute('data-enabled', 'true', { timeout: 20_000 })
    await card.getByTestId('redeem-source-paste').check()
    await card.getByTestId('redeem-paste').fill(await token(channel, 1n, [SMALL, LARGE_NEW], [3n, 1n]))
    await expect(card.getByTestId('redeem-problem')).toHaveText(
      "The token's price table is not the one announced for token ID 1: a token is valued at its own ID's prices only.",
    )
    await card.getByTestId('redeem-paste').fill(await token(channel, 1n, [SMALL, LARGE], [3n, 1n]))
    await expect(card.getByTestId('redeem-summary')).toHaveAttribute(
      'data-wei',
      (3n * SMALL + LARGE).toString(),
    )
    await expect(card.getByTestId('redeem-summary')).toContainText('3 small, 1 large')
    await act(card)
    expect(await read(channel, 'providerFunds')).toBe(3n * SMALL + LARGE)
  })

  await test.step('the provider announces a price change with the next redemption start', async () => {
    const card = p.page.getByTestId('action-announce-prices')
    await expect(card.getByTestId('new-price-1-amount')).toHaveValue(LARGE.toString())
    await card.getByTestId('new-price-1-amount').fill('0')
    await expect(card.getByTestId('action-submit')).toBeDisabled()
    await expect(card.locator('.action-hint')).toHaveText('The price of category 2 must be more than 0 wei.')
    await card.getByTestId('new-price-1-unit').selectOption('gwei')
    await card.getByTestId('new-price-1-amount').fill('6')
    await expect(card.getByTestId('new-price-1-wei')).toHaveAttribute('data-wei', LARGE_NEW.toString())
    await act(card)
    expect(await announcements(channel)).toEqual([
      [1n, [SMALL, LARGE]],
      [3n, [SMALL, LARGE_NEW]],
    ])
    expect([await read(channel, 'expiringTokenId'), await read(channel, 'activeTokenId')]).toEqual([2n, 3n])
  })

  await test.step('the channel page shows the new prices, the announced change and the runway before and after', async () => {
    await c.page.reload()
    const change = c.page.getByTestId('price-announced')
    await expect(change).toBeVisible()
    await expect(change).toContainText('token #3')
    const before = await weiOf(change.getByTestId('price-before'))
    const after = await weiOf(change.getByTestId('price-after'))
    expect({ before, after }).toEqual({
      before: [SMALL.toString(), LARGE.toString()],
      after: [SMALL.toString(), LARGE_NEW.toString()],
    })
    // The mix redeemed so far is 3 small and 1 large: 8 gwei at the old prices, 9 gwei at the new ones.
    const runway = change.getByTestId('runway')
    await expect(runway).toContainText('3 small, 1 large')
    const [b, a] = [
      Number(await runway.getAttribute('data-before-seconds')),
      Number(await runway.getAttribute('data-after-seconds')),
    ]
    expect(a).toBeLessThan(b)
    expect(Math.abs(a * 9 - b * 8)).toBeLessThanOrEqual(9)
    await expect(c.page.getByTestId('channel-category-price').nth(1)).toHaveAttribute(
      'data-wei',
      LARGE_NEW.toString(),
    )
    expect(await horizontalOverflow(c.page)).toBe(0)
    await screenshot(c.page, info, 'channel-v2-desktop')
    await c.page.setViewportSize({ width: 412, height: 915 })
    await expect(change).toBeVisible()
    expect(await horizontalOverflow(c.page)).toBe(0)
    await screenshot(c.page, info, 'channel-v2-phone')
  })
})
