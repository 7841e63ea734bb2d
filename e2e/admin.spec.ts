import { type APIRequestContext, expect, type Page, test } from '@playwright/test'
import { type Address, parseEther, parseGwei } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { type ChannelState, readChannelState } from '../lib/channel'
import { formatToken, signToken } from '../packages/payment-client/src/token'
import { adminKey } from './kit/api'
import { adminKeys, advanceTime, chain, testClient } from './kit/chain'
import { horizontalOverflow, screenshot } from './kit/pages'
import { act, connect, walletPage } from './kit/walletPage'

/**
 * A whole channel life driven through the dashboard by two wallets, consumer and provider, each
 * in its own browser page with the test's injected EIP-1193 wallet (announced via EIP-6963, keys
 * in Node). After every step the chain's state and the indexed timeline are checked. The
 * provider's first redemption uses the token the Payment Server accepted (fetched with a
 * provider-signed request); the second a token signed here and pasted in.
 */

const consumer = privateKeyToAccount(adminKeys.consumer)
const provider = privateKeyToAccount(adminKeys.provider)
const stranger = privateKeyToAccount(adminKeys.stranger)
const PRICE = parseGwei('50')
const FIRST_DEPOSIT = parseEther('0.01')
const SECOND_DEPOSIT = parseEther('0.005')
const REDEMPTION_TIMEOUT = 60n
const TERMINATION_TIMEOUT = 180n

test.describe.configure({ mode: 'serial' })

/** The event names of the channel's timeline, oldest first. */
async function timeline(page: Page): Promise<string[]> {
  return (await page.getByTestId('channel-timeline').getByTestId('event-name').allTextContents())
    .map((t) => t.trim())
    .reverse()
}

async function onChain(channel: Address): Promise<ChannelState> {
  return readChannelState({ client: chain, address: channel })
}

/** Registers the provider as a Payment Server service (its key from the web process's env); its API key. */
async function registerProvider(request: APIRequestContext): Promise<string> {
  const headers = { authorization: `Bearer ${adminKey()}` }
  const name = 'e2e-admin-provider'
  let res = await request.post('/api/payment/services', {
    headers,
    data: { name, team: 'e2e', key: { source: 'env', variable: 'E2E_ADMIN_PROVIDER_KEY' } },
  })
  // Registered by an earlier run against the same stack (E2E_BASE_URL): take a new API key.
  if (res.status() === 409) res = await request.post(`/api/payment/services/${name}/api-key`, { headers })
  expect([200, 201], await res.text()).toContain(res.status())
  const body = (await res.json()) as { apiKey: string; service: { address: string } }
  expect(body.service.address).toBe(provider.address.toLowerCase())
  return body.apiKey
}

test("a channel's whole life through the wallet UI: open, fund, redeem twice, withdraw, terminate", async ({
  browser,
  request,
}, info) => {
  test.skip(info.project.name !== 'desktop', 'chain activity runs once, on desktop')
  test.setTimeout(300_000)
  for (const account of [consumer, provider, stranger]) {
    await testClient.setBalance({ address: account.address, value: parseEther('100') })
  }
  const providerApiKey = await registerProvider(request)
  const chainId = await chain.getChainId()
  const c = await walletPage(browser, adminKeys.consumer)
  const p = await walletPage(browser, adminKeys.provider)
  let channel: Address = '0x'

  await test.step('the consumer connects and sees its balance', async () => {
    await c.page.goto('/channels/new')
    await expect(c.page.getByTestId('open-submit')).toBeDisabled()
    await connect(c.page, c.wallet)
    await expect(c.page.getByTestId('wallet-balance')).toHaveAttribute(
      'data-wei',
      parseEther('100').toString(),
    )
    await expect(c.page.getByTestId('wallet-balance')).toHaveText('100 ETH')
  })

  await test.step('a wallet on another chain is asked to switch', async () => {
    await c.wallet.setChainId(1)
    await expect(c.page.getByTestId('wallet-wrong-chain')).toBeVisible()
    await c.page.getByTestId('wallet-switch').click()
    await expect(c.page.getByTestId('wallet-wrong-chain')).toHaveCount(0)
  })

  const form = c.page.getByTestId('open-form')
  await test.step('the form checks its input before anything is sent', async () => {
    await form.getByTestId('open-provider-select').selectOption('__other')
    await form.getByTestId('open-provider-address').fill(provider.address)
    await form.getByTestId('open-price-amount').fill('50')
    await expect(form.getByTestId('open-price-wei')).toHaveAttribute('data-wei', PRICE.toString())
    await expect(form.getByTestId('open-price-wei')).toHaveText('= 50,000,000,000 wei')
    await form.getByTestId('open-deposit-amount').fill('0.01')
    await expect(form.getByTestId('open-deposit-wei')).toHaveAttribute('data-wei', FIRST_DEPOSIT.toString())
    await form.getByTestId('open-redemption-value').fill('1')
    await form.getByTestId('open-redemption-unit').selectOption('minutes')
    await form.getByTestId('open-termination-value').fill('30')
    await form.getByTestId('open-termination-unit').selectOption('seconds')
    await form.getByTestId('open-submit').click()
    await expect(form.getByTestId('open-termination-error')).toContainText(
      'shorter than the redemption timeout',
    )
    await form.getByTestId('open-termination-value').fill('2')
    await form.getByTestId('open-termination-unit').selectOption('minutes')
    await form.getByTestId('open-submit').click()
    await expect(form.getByTestId('open-termination-error')).toContainText(
      'at least 3 min (three redemption timeouts)',
    )
    await form.getByTestId('open-deposit-amount').fill('0.0000000000000000001')
    await expect(form.getByTestId('open-deposit-wei')).toContainText('anything finer is less than 1 wei')
    await form.getByTestId('open-deposit-amount').fill('0.01')
    await form.getByTestId('open-termination-value').fill('3')
    expect(c.wallet.requests.filter((r) => r.method === 'eth_sendTransaction')).toHaveLength(0)
    await screenshot(c.page, info, 'open-form')
  })

  await test.step('a rejected signature is reported plainly and leaves the form as it was', async () => {
    c.wallet.rejectNext('eth_sendTransaction')
    await form.getByTestId('open-submit').click()
    await expect(form.getByTestId('tx-error')).toHaveText(
      'You rejected the request in your wallet. Nothing was sent.',
    )
    await expect(form.getByTestId('open-price-amount')).toHaveValue('50')
    await expect(form.getByTestId('open-deposit-amount')).toHaveValue('0.01')
    await expect(form.getByTestId('open-termination-value')).toHaveValue('3')
    expect(c.wallet.sent).toHaveLength(0)
  })

  await test.step('the consumer opens the channel with a first deposit', async () => {
    await form.getByTestId('open-submit').click()
    await c.page.waitForURL(/\/channels\/0x[0-9a-f]{40}$/, { timeout: 60_000 })
    channel = c.page.url().split('/').at(-1) as Address
    const state = await onChain(channel)
    expect(state).toMatchObject({
      consumer: consumer.address.toLowerCase(),
      provider: provider.address.toLowerCase(),
      costPerRequest: PRICE,
      consumerFunds: FIRST_DEPOSIT,
      redemptionTimeout: REDEMPTION_TIMEOUT,
      terminationTimeout: TERMINATION_TIMEOUT,
      activeTokenId: 1n,
    })
    await expect.poll(() => timeline(c.page)).toEqual(['Deposited', 'ChannelOpened'])
    await expect(c.page.getByTestId('action-role')).toContainText('You are the consumer')
  })

  await test.step('the consumer funds it again', async () => {
    const card = c.page.getByTestId('action-deposit')
    await card.getByTestId('deposit-amount').fill('5')
    await card.getByTestId('deposit-unit').selectOption('gwei')
    await expect(card.getByTestId('deposit-wei')).toHaveAttribute('data-wei', parseGwei('5').toString())
    await card.getByTestId('deposit-unit').selectOption('ETH')
    await card.getByTestId('deposit-amount').fill('0.005')
    await act(card)
    expect((await onChain(channel)).consumerFunds).toBe(FIRST_DEPOSIT + SECOND_DEPOSIT)
    await expect.poll(() => timeline(c.page)).toEqual(['Deposited', 'ChannelOpened', 'Deposited'])
    await expect(card.getByTestId('deposit-amount')).toHaveValue('0.005')
  })

  await test.step('the consumer cannot act for the provider, and says why', async () => {
    const card = c.page.getByTestId('action-start-redemption')
    await expect(card).toHaveAttribute('data-enabled', 'false')
    await expect(card.getByTestId('action-reason')).toHaveText("Only the channel's provider can do this.")
    await expect(card.getByTestId('action-submit')).toBeDisabled()
  })

  // Tokens 1..5 of token ID 1, signed by the consumer, accepted by the Payment Server.
  const tokens = await Promise.all(
    [1n, 2n, 3n, 4n, 5n].map((requests) =>
      signToken({ account: consumer, chainId, channel, tokenId: 1n, requests }).then((token) =>
        formatToken({ chainId, token }),
      ),
    ),
  )
  await test.step('the Payment Server accepts five tokens for the provider', async () => {
    const res = await request.post('/api/payment/tokens/verify', {
      headers: { authorization: `Bearer ${providerApiKey}` },
      data: { tokens },
    })
    expect(res.status(), await res.text()).toBe(200)
    const body = (await res.json()) as { results: { accepted: boolean; requests?: string }[] }
    expect(body.results.map((r) => r.accepted)).toEqual([true, true, true, true, true])
  })

  await test.step('the provider starts a redemption; completing it is too early and says when', async () => {
    await p.page.goto(`/channels/${channel}`)
    await connect(p.page, p.wallet)
    await expect(p.page.getByTestId('action-role')).toContainText('You are the provider')
    await act(p.page.getByTestId('action-start-redemption'))
    const state = await onChain(channel)
    expect(state).toMatchObject({ expiringTokenId: 1n, activeTokenId: 2n, lastTokenId: 2n })
    await expect.poll(() => timeline(p.page)).toContain('RedemptionStarted')
    const redeem = p.page.getByTestId('action-redeem')
    await expect(redeem).toHaveAttribute('data-enabled', 'false')
    await expect(redeem.getByTestId('action-reason')).toContainText('The token can be redeemed only after')
    await expect(redeem.getByTestId('action-countdown')).toContainText(/in \d+ s/)
  })

  await test.step("the provider completes it with the Payment Server's token after the timeout", async () => {
    await advanceTime(Number(REDEMPTION_TIMEOUT) + 1)
    const card = p.page.getByTestId('action-redeem')
    await expect(card).toHaveAttribute('data-enabled', 'true', { timeout: 20_000 })
    await card.getByTestId('redeem-fetch').click()
    await expect(card.getByTestId('redeem-summary')).toHaveAttribute('data-requests', '5')
    await expect(card.getByTestId('redeem-summary')).toHaveAttribute('data-wei', (5n * PRICE).toString())
    await screenshot(p.page, info, 'provider-redeem')
    expect(p.wallet.requests.some((r) => r.method === 'eth_signTypedData_v4')).toBe(true)
    await act(card)
    const state = await onChain(channel)
    expect(state).toMatchObject({
      expiringTokenId: 0n,
      providerFunds: 5n * PRICE,
      consumerFunds: FIRST_DEPOSIT + SECOND_DEPOSIT - 5n * PRICE,
    })
    await expect.poll(() => timeline(p.page)).toContain('Redeemed')
  })

  await test.step('a second redemption with a pasted token; bad tokens are refused in words', async () => {
    await act(p.page.getByTestId('action-start-redemption'))
    expect((await onChain(channel)).expiringTokenId).toBe(2n)
    await advanceTime(Number(REDEMPTION_TIMEOUT) + 1)
    const card = p.page.getByTestId('action-redeem')
    await expect(card).toHaveAttribute('data-enabled', 'true', { timeout: 20_000 })
    await card.getByTestId('redeem-source-paste').check()
    const paste = card.getByTestId('redeem-paste')
    const forged = await signToken({ account: stranger, chainId, channel, tokenId: 2n, requests: 3n })
    await paste.fill(formatToken({ chainId, token: forged }))
    await expect(card.getByTestId('redeem-problem')).toHaveText(
      "The token is not signed by the channel's consumer.",
    )
    await expect(card.getByTestId('action-submit')).toBeDisabled()
    await paste.fill(tokens[4] as string)
    await expect(card.getByTestId('redeem-problem')).toHaveText(
      'The token is for token ID 1, but token ID 2 is under redemption.',
    )
    const good = await signToken({ account: consumer, chainId, channel, tokenId: 2n, requests: 3n })
    await paste.fill(formatToken({ chainId, token: good }))
    await expect(card.getByTestId('redeem-summary')).toHaveAttribute('data-requests', '3')
    await act(card)
    expect((await onChain(channel)).providerFunds).toBe(8n * PRICE)
  })

  await test.step('the provider withdraws its earnings', async () => {
    const before = await chain.getBalance({ address: provider.address })
    const hash = await act(p.page.getByTestId('action-provider-withdraw'))
    const receipt = await chain.getTransactionReceipt({ hash })
    const after = await chain.getBalance({ address: provider.address })
    expect(after - before).toBe(8n * PRICE - receipt.gasUsed * receipt.effectiveGasPrice)
    expect((await onChain(channel)).providerFunds).toBe(0n)
    await expect.poll(() => timeline(p.page)).toContain('Withdrawn')
    await expect(p.page.getByTestId('action-provider-withdraw').getByTestId('action-reason')).toHaveText(
      'There is nothing to withdraw.',
    )
  })

  await test.step('the consumer starts termination; finishing is too early and deposits stop', async () => {
    await c.page.reload()
    await act(c.page.getByTestId('action-start-termination'))
    const state = await onChain(channel)
    expect(state.terminatesAt).toBeGreaterThan(0n)
    await expect.poll(() => timeline(c.page)).toContain('TerminationStarted')
    const finish = c.page.getByTestId('action-finish-termination')
    await expect(finish.getByTestId('action-reason')).toContainText('The consumer can terminate only after')
    await expect(finish.getByTestId('action-countdown')).toBeVisible()
    await expect(c.page.getByTestId('action-deposit').getByTestId('action-reason')).toHaveText(
      'Termination of this channel has already started.',
    )
    await expect(c.page.getByTestId('action-consumer-withdraw').getByTestId('action-reason')).toHaveText(
      'The consumer can withdraw only after the channel has been terminated.',
    )
  })

  await test.step('after the deadline the consumer terminates and withdraws the rest', async () => {
    await advanceTime(Number(TERMINATION_TIMEOUT) + 1)
    await act(c.page.getByTestId('action-finish-termination'))
    const left = FIRST_DEPOSIT + SECOND_DEPOSIT - 8n * PRICE
    expect(await onChain(channel)).toMatchObject({ terminated: true, consumerFunds: left })
    await expect.poll(() => timeline(c.page)).toContain('Terminated')
    const before = await chain.getBalance({ address: consumer.address })
    const hash = await act(c.page.getByTestId('action-consumer-withdraw'))
    const receipt = await chain.getTransactionReceipt({ hash })
    expect((await chain.getBalance({ address: consumer.address })) - before).toBe(
      left - receipt.gasUsed * receipt.effectiveGasPrice,
    )
    expect((await onChain(channel)).consumerFunds).toBe(0n)
    await expect
      .poll(() => timeline(c.page))
      .toEqual([
        'Deposited',
        'ChannelOpened',
        'Deposited',
        'RedemptionStarted',
        'Redeemed',
        'RedemptionStarted',
        'Redeemed',
        'Withdrawn',
        'TerminationStarted',
        'Terminated',
        'Withdrawn',
      ])
    await expect(c.page.getByTestId('channel-phase-field')).toHaveText(/terminated/)
  })

  await test.step('a stranger can only watch', async () => {
    const s = await walletPage(browser, adminKeys.stranger)
    await s.page.goto(`/channels/${channel}`)
    await connect(s.page, s.wallet)
    await expect(s.page.getByTestId('action-role')).toContainText('not a party of this channel')
    await expect(s.page.locator('[data-testid^="action-"][data-enabled="true"]')).toHaveCount(0)
  })
})

test('the admin pages fit a phone and say what a visitor without a wallet can do', async ({
  page,
  request,
}, info) => {
  const { channels } = (await (await request.get('/api/channels?limit=1')).json()) as {
    channels: { address: string }[]
  }
  const address = channels[0]?.address
  expect(address).toMatch(/^0x[0-9a-f]{40}$/)
  await page.goto(`/channels/${address}`)
  await expect(page.getByTestId('action-role')).toHaveText('Connect a wallet to act on this channel.')
  await expect(page.locator('[data-testid^="action-"][data-enabled="true"]')).toHaveCount(0)
  await expect(page.getByTestId('wallet-connect')).toBeVisible()
  expect(await horizontalOverflow(page)).toBe(0)
  await screenshot(page, info, 'channel-actions-visitor')
  await page.goto('/channels/new')
  await expect(page.getByTestId('open-submit')).toBeDisabled()
  expect(await horizontalOverflow(page)).toBe(0)
  await screenshot(page, info, 'open-form-visitor')
})

test('a declined wallet connection is said in a sentence next to the connect button', async ({
  browser,
}, info) => {
  test.skip(info.project.name !== 'desktop', 'the wallet shim runs once, on desktop')
  const { page, wallet } = await walletPage(browser, adminKeys.stranger)
  // wagmi's injected connector asks for permission first (MetaMask's prompt); the person declines.
  wallet.rejectNext('wallet_requestPermissions')
  await page.goto('/channels/new')
  await page.getByTestId('wallet-connect').click()
  await page.locator('[data-testid="wallet-connector"][data-name="E2E Wallet"]').click()
  await expect(page.getByTestId('wallet-error')).toHaveText(
    'You declined the connection in your wallet: nothing was shared. Connect again when you want to.',
  )
  await expect(page.getByTestId('wallet-connect')).toBeVisible()
  expect(wallet.requests.map((r) => r.method)).toContain('wallet_requestPermissions')
  await expect(page.getByTestId('wallet-account')).toHaveCount(0)
  // Connecting again works, and the sentence goes.
  await connect(page, wallet)
  await expect(page.getByTestId('wallet-error')).toHaveCount(0)
  await page.context().close()
})
