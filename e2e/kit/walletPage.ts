import { type Browser, expect, type Locator, type Page } from '@playwright/test'
import type { Hex } from 'viem'
import { anvilUrl } from './chain'
import { injectWallet, type TestWallet } from './wallet'

/*
 * A dashboard page driven by a wallet (the test's injected EIP-1193 wallet, announced via
 * EIP-6963, its key in Node): open it, connect it, and act through the admin cards.
 */

/** A page of its own (a fresh context at desktop width) with the wallet of `key` injected. */
export async function walletPage(browser: Browser, key: Hex): Promise<{ page: Page; wallet: TestWallet }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  const wallet = await injectWallet(page, { privateKey: key, rpcUrl: anvilUrl })
  return { page, wallet }
}

/** Connects through the header's control, choosing the wallet by its EIP-6963 name. */
export async function connect(page: Page, wallet: TestWallet): Promise<void> {
  await page.getByTestId('wallet-connect').click()
  await page.locator('[data-testid="wallet-connector"][data-name="E2E Wallet"]').click()
  await expect(page.getByTestId('wallet-account')).toHaveAttribute(
    'data-address',
    wallet.address.toLowerCase(),
  )
}

/** Clicks an action card's button and waits until its transaction is indexed; returns its hash. */
export async function act(card: Locator): Promise<Hex> {
  await expect(card).toHaveAttribute('data-enabled', 'true', { timeout: 20_000 })
  await expect(card.getByTestId('action-submit')).toBeEnabled()
  await card.getByTestId('action-submit').click()
  const progress = card.getByTestId('tx-progress')
  await expect(progress).toHaveAttribute('data-step', 'indexed', { timeout: 60_000 })
  await expect(progress).toHaveAttribute('data-failed', 'false')
  const href = await card.getByTestId('tx-link').getAttribute('href')
  return href?.split('/').at(-1) as Hex
}
