import { expect, test } from '@playwright/test'
import { privateKeyToAccount } from 'viem/accounts'
import { adminKey, getJson } from './kit/api'
import { buyerPays, SPENT, startReceiver, startRunner, team } from './kit/budgets'
import { anvilUrl } from './kit/chain'
import { labelAdminKey, strangerKey } from './kit/costs'
import { expectNoSidewaysScroll } from './kit/costsPages'
import { screenshot } from './kit/pages'
import { injectWallet } from './kit/wallet'

const labelAdmin = privateKeyToAccount(labelAdminKey).address

/**
 * Budgets and alerts as a manager would use them: a fresh team's buyer pays 400 gwei on chain;
 * a label admin's wallet signs the team a monthly budget of 500 gwei on /alerts (a wallet
 * that is none is refused first); with the team admin key, the admin adds a Slack webhook (a
 * local receiver) and a rule at 80 % of spend; the runner role (the instance that delivers
 * alerts) sends exactly one Slack message for the crossing, and one for a second rule at 50 %
 * added later, and the history page lists both, sent at the first attempt.
 */

test.describe('budgets and alerts, as a manager would', () => {
  test.describe.configure({ mode: 'serial' })

  test('a budget crossed sends one webhook call per crossing, and the history shows it', async ({
    page,
    request,
    isMobile,
  }, info) => {
    test.skip(isMobile, 'chain activity and the configuration are made once, on desktop')
    test.setTimeout(180_000)
    await buyerPays(request)
    const receiver = await startReceiver()
    const runner = await startRunner(request)
    try {
      const wallet = await injectWallet(page, { privateKey: strangerKey, rpcUrl: anvilUrl })
      await page.goto('/costs')
      await page.getByTestId('alerts-link').click()
      await expect(page.getByRole('heading', { name: 'Budgets and alerts' })).toBeVisible()

      // The budget is signed in the wallet: a wallet that is no label admin is refused first.
      await page.getByTestId('wallet-connect').click()
      await page.locator('[data-testid="wallet-connector"][data-name="E2E Wallet"]').click()
      await expect(page.getByTestId('wallet-account')).toHaveAttribute(
        'data-address',
        wallet.address.toLowerCase(),
      )
      const budgetForm = page.getByTestId('budget-form')
      await budgetForm.getByTestId('budget-target').fill(team)
      await budgetForm.getByTestId('budget-amount').fill('0.0000005')
      await budgetForm.getByTestId('budget-form-save').click()
      await expect(budgetForm.getByTestId('budget-form-error')).toHaveText(
        'The edit is not signed by a label admin (LABEL_ADMINS): connect an admin wallet.',
      )
      expect((await getJson<{ budgets: unknown[] }>(request, '/api/budgets')).budgets).toEqual([])
      await wallet.switchAccount(labelAdminKey)
      await expect(page.getByTestId('wallet-account')).toHaveAttribute(
        'data-address',
        labelAdmin.toLowerCase(),
      )
      await budgetForm.getByTestId('budget-form-save').click()
      await expect(budgetForm.getByTestId('budget-form-saved')).toBeVisible()
      expect(wallet.requests.filter((r) => r.method === 'eth_signTypedData_v4')).toHaveLength(2)
      // The webhook and the rules with the team admin key instead.
      await page.getByTestId('admin-key').fill(adminKey())
      const budget = page.locator(`[data-testid="budget"][data-target="${team}"]`)
      await expect(budget.getByTestId('budget-percent')).toHaveText('80 %')
      await expect(budget.getByTestId('budget-spent')).toHaveAttribute('data-wei', SPENT.toString())

      const webhookForm = page.getByTestId('webhook-form')
      await webhookForm.getByTestId('webhook-name').fill('e2e-slack')
      await webhookForm.getByTestId('webhook-url').fill(receiver.url)
      await webhookForm.getByTestId('webhook-form-save').click()
      await expect(page.getByTestId('webhook')).toContainText('e2e-slack · Slack · http://127.0.0.1:')
      await expect(page.getByTestId('webhooks')).not.toContainText(receiver.secret)

      const ruleForm = page.getByTestId('rule-form')
      await ruleForm.getByTestId('rule-name').fill('e2e-80')
      await ruleForm.getByTestId('rule-form-save').click()
      await expect(page.getByTestId('rule')).toContainText(
        `e2e-80: spend reaches 80 % of team ${team}'s monthly budget`,
      )

      await expect
        .poll(() => receiver.calls.length, { message: 'the runner sends the alert', timeout: 60_000 })
        .toBe(1)
      // A second rule's alert arriving means the runner went round again: the first did not repeat.
      await ruleForm.getByTestId('rule-name').fill('e2e-50')
      await ruleForm.getByTestId('rule-threshold').fill('50')
      await ruleForm.getByTestId('rule-form-save').click()
      await expect
        .poll(() => receiver.calls.length, { message: 'the second rule alerts', timeout: 60_000 })
        .toBe(2)
      const texts = receiver.calls.map((c) => c.body.text as string)
      expect(texts[0]).toMatch(
        new RegExp(
          `^team ${team} has spent 80 % of its monthly budget \\(400 gwei of 500 gwei, \\d{4}-\\d\\d\\); threshold 80 %\\.$`,
        ),
      )
      expect(texts[1]).toContain('threshold 50 %.')
      expect(receiver.calls[0]?.body.blocks).toEqual([
        { type: 'section', text: { type: 'mrkdwn', text: `:rotating_light: ${texts[0]}` } },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: expect.stringContaining('rule *e2e-80* · budget · ') }],
        },
      ])

      // The history, once the runner has recorded the second send (it does right after it).
      const rows = page.getByTestId('delivery')
      await expect(async () => {
        await page.reload()
        await expect(rows).toHaveCount(2)
        for (const [i, rule] of ['e2e-50', 'e2e-80'].entries()) {
          await expect(rows.nth(i)).toHaveAttribute('data-rule', rule)
          await expect(rows.nth(i).getByTestId('delivery-status')).toHaveText('sent')
          await expect(rows.nth(i).getByTestId('delivery-attempts')).toHaveText('1')
        }
      }).toPass()
      await expect(rows.nth(1).getByTestId('delivery-summary')).toHaveText(texts[0] as string)
      await screenshot(page, info, 'alerts')
      await page.goto('/costs')
      await expect(page.getByTestId('budgets').locator(`[data-target="${team}"]`)).toBeVisible()
      expect(runner.lines.join('')).not.toContain(receiver.secret)
      expect(receiver.calls).toHaveLength(2)
    } finally {
      await runner.stop()
      await receiver.close()
    }
  })

  test('the alerts page reads on a phone', async ({ page }, info) => {
    await page.goto('/alerts')
    await expect(page.getByRole('heading', { name: 'Budgets and alerts' })).toBeVisible()
    await expectNoSidewaysScroll(page)
    await screenshot(page, info, 'alerts')
  })
})
