import { expect, test } from '@playwright/test'
import type { Hex } from 'viem'
import { formatUtc } from '../lib/explorer/format'
import { type Activity, plan } from './kit/activity'
import { chain, mineBlock, roles } from './kit/chain'
import type { ExpectedTx } from './kit/expected'
import { readExplorerActivity, txByLabel, txDetail, txLabels } from './kit/explorer'
import { openThroughContract } from './kit/opener'
import { expectArgs, headerSearch, horizontalOverflow, screenshot, searchFromHeader } from './kit/pages'

/**
 * The block and channel explorer's pages in a browser, on the chain activity of kit/activity.ts
 * (made once per stack, shared with explorer.api.spec.ts, which runs first).
 */

let activity: Activity
let expected: ExpectedTx[]

test.beforeAll(async ({ playwright }, info) => {
  ;({ activity, expected } = await readExplorerActivity({ playwright }, info))
})

const byLabel = (label: string) => txByLabel(expected, label)

/** Seconds in a duration as the pages write it: '2 h 59 min', '59 min 58 s'. */
const secondsIn = (text: string) => {
  const sizes: Record<string, number> = { d: 86_400, h: 3_600, min: 60, s: 1 }
  let total = 0
  for (const [, n, unit] of text.matchAll(/(\d+) (d|h|min|s)\b/g))
    total += Number(n) * (sizes[unit as string] ?? 0)
  return total
}

test.describe('pages', () => {
  for (const label of txLabels) {
    test(`the header search box leads to the ${label} transaction, decoded`, async ({ page, request }) => {
      const want = byLabel(label)
      const api = await txDetail(request, want.hash)
      await page.goto('/')
      await searchFromHeader(page, want.hash)
      await expect(page).toHaveURL(new RegExp(`/tx/${want.hash}$`))
      await expect(page.getByTestId('tx-hash')).toHaveText(want.hash)
      await expect(page.getByTestId('tx-status')).toHaveText(want.status)
      await expect(page.getByTestId('tx-from')).toContainText(want.from)
      await expect(page.getByTestId('tx-to')).toContainText(want.to)
      const value = page.getByTestId('tx-value').locator('[data-wei]')
      await expect(value).toHaveAttribute('data-wei', want.value.toString())
      await expect(value).toHaveText(/^[\d,.]+ (ETH|gwei|wei)$/)

      const fn = page.getByTestId('tx-function')
      if (want.call) {
        await expect(fn).toHaveAttribute('data-name', want.call.name)
        await expect(page.getByTestId('tx-signature')).toContainText(want.call.signature)
        if (want.call.args.length > 0) await expectArgs(page.getByTestId('tx-function-args'), want.call.args)
        else await expect(fn).toContainText('No arguments')
      } else {
        await expect(fn).toHaveText(/plain transfer/)
      }

      const events = page.getByTestId('tx-events').getByTestId('event-row')
      await expect(events).toHaveCount(want.events.length)
      for (const [i, event] of want.events.entries()) {
        const row = events.nth(i)
        await expect(row.getByTestId('event-name')).toHaveText(event.name)
        await expect(row).toContainText(`log ${api.events[i]?.logIndex}`)
        await expectArgs(row, event.args)
      }
      if (want.events.length === 0) await expect(page.getByTestId('tx-events')).toContainText(/no events/i)

      if (want.revert) {
        await expect(page.getByTestId('tx-revert')).toBeVisible()
        await expect(page.getByTestId('tx-revert-name')).toHaveText(want.revert.name)
        await expect(page.getByTestId('tx-revert-message')).toHaveText(api.transaction.revert?.message ?? '')
        await expect(page.getByTestId('tx-revert-message')).toContainText(/consumer/i)
      } else await expect(page.getByTestId('tx-revert')).toHaveCount(0)

      if (want.source === 'node')
        await expect(page.getByTestId('source-node')).toContainText(/not in the index/)
      else await expect(page.getByTestId('source-node')).toHaveCount(0)
    })
  }

  test('a search that finds nothing, or cannot be a search, says so in words', async ({ page }) => {
    const head = await chain.getBlockNumber({ cacheTime: 0 })
    const cases = [
      {
        q: `0x${'ab'.repeat(32)}`,
        title: /No block, transaction or address matches/,
        text: /No transaction or block with hash 0x(ab){32}/,
      },
      {
        q: (head + 1000n).toString(),
        title: /No block, transaction or address matches/,
        text: new RegExp(`Block ${head + 1000n} does not exist yet`),
      },
      {
        q: '0x12345',
        title: /cannot be searched for/,
        text: /is not a block number, a transaction hash \(0x and 64 hex digits\)/,
      },
      { q: 'drop table;', title: /cannot be searched for/, text: /is not a block number/ },
    ]
    await page.goto('/')
    for (const { q, title, text } of cases) {
      await searchFromHeader(page, q)
      await expect.poll(() => new URL(page.url()).searchParams.get('q'), { message: q }).toBe(q)
      expect(new URL(page.url()).pathname).toBe('/search')
      const message = page.getByTestId('search-message')
      await expect(message, q).toContainText(title)
      await expect(message, q).toContainText(text)
      // The header box is still there for the next try.
      await expect(headerSearch(page)).toBeVisible()
    }
  })

  test('a block page shows number, hash, parent link and its transactions', async ({ page }) => {
    const redeem = byLabel('redeem')
    const receipt = await chain.getTransactionReceipt({ hash: redeem.hash })
    const block = await chain.getBlock({ blockNumber: receipt.blockNumber })
    await page.goto('/')
    await searchFromHeader(page, block.number.toString())
    await expect(page).toHaveURL(new RegExp(`/blocks/${block.number}$`))
    await expect(page.getByTestId('block-number')).toHaveText(`#${block.number.toLocaleString('en-US')}`)
    await expect(page.getByTestId('block-hash')).toHaveText(block.hash)
    const count = block.transactions.length
    await expect(page.getByTestId('block-tx-count')).toHaveText(
      `${count} transaction${count === 1 ? '' : 's'}`,
    )
    const rows = page.getByTestId('block-transactions').getByTestId('tx-row')
    await expect(rows).toHaveCount(count)
    await expect(rows.and(page.locator(`[data-hash="${redeem.hash}"]`))).toContainText('redeem')

    const parent = page.getByTestId('block-parent').getByRole('link')
    await expect(parent).toHaveText(block.parentHash)
    await parent.click()
    await expect(page).toHaveURL(new RegExp(`/blocks/${block.number - 1n}$`))
    await expect(page.getByTestId('block-number')).toHaveText(
      `#${(block.number - 1n).toLocaleString('en-US')}`,
    )
    await expect(page.getByTestId('block-hash')).toHaveText(block.parentHash)
  })

  test('an address page shows the balance with a unit and the channels it is party to', async ({ page }) => {
    const consumer = roles.consumer.address.toLowerCase()
    await page.goto('/')
    await searchFromHeader(page, consumer)
    await expect(page).toHaveURL(new RegExp(`/address/${consumer}$`))
    await expect(page.getByTestId('address-address')).toHaveText(consumer)
    await expect(page.getByTestId('address-kind')).toHaveText('account')
    const balance = page.getByTestId('address-balance').locator('[data-wei]')
    await expect(balance).toHaveAttribute(
      'data-wei',
      (await chain.getBalance({ address: roles.consumer.address })).toString(),
    )
    await expect(balance).toHaveText(/^[\d,]+(\.\d+)? ETH$/)
    const channels = page.getByTestId('address-channels').getByTestId('channel-row')
    await expect(channels.and(page.locator(`[data-address="${activity.channelA}"]`))).toHaveAttribute(
      'data-phase',
      'open',
    )
    await expect(channels.and(page.locator(`[data-address="${activity.channelB}"]`))).toHaveAttribute(
      'data-phase',
      'terminating',
    )
    const transactions = page.getByTestId('address-transactions').getByTestId('tx-row')
    await expect(transactions.and(page.locator(`[data-hash="${activity.tx.openA}"]`))).toContainText('open')
  })

  test('a channel page shows its phase, and countdowns only while something is pending', async ({ page }) => {
    // Channel A: redemption completed, nothing pending.
    await page.goto('/')
    await searchFromHeader(page, activity.channelA)
    await expect(page).toHaveURL(new RegExp(`/channels/${activity.channelA}$`))
    await expect(page.getByTestId('channel-address')).toHaveText(activity.channelA)
    await expect(page.getByTestId('channel-phase')).toHaveText('open')
    await expect(page.getByTestId('countdown-redeemable')).toHaveAttribute('data-due', 'none')
    await expect(page.getByTestId('countdown-redeemable')).toHaveText('No redemption pending.')
    await expect(page.getByTestId('countdown-termination')).toHaveText('Termination not announced.')
    const redeemed = plan.a.requests * plan.a.costPerRequest
    await expect(page.getByTestId('channel-provider-funds')).toHaveAttribute('data-wei', redeemed.toString())
    await expect(page.getByTestId('channel-timeline').getByTestId('event-name')).toHaveText([
      'Redeemed',
      'RedemptionStarted',
      'Deposited',
      'ChannelOpened',
      'Deposited',
    ])

    // Channel B: redemption pending (an hour) and termination announced (three hours).
    await page.goto(`/channels/${activity.channelB}`)
    await expect(page.getByTestId('channel-phase')).toHaveText('terminating')
    const startedAt = async (hash: Hex) =>
      (await chain.getBlock({ blockNumber: (await chain.getTransactionReceipt({ hash })).blockNumber }))
        .timestamp
    for (const [testId, timeout, started] of [
      ['countdown-redeemable', plan.b.redemptionTimeout, activity.tx.startRedemptionB],
      ['countdown-termination', plan.b.terminationTimeout, activity.tx.startTerminationB],
    ] as const) {
      const countdown = page.getByTestId(testId)
      await expect(countdown, testId).toHaveAttribute('data-due', 'false')
      await expect(countdown, testId).toHaveText(/^in \d+ (h|min)\b/)
      // What it says is the time left until the chain's time it names (when the call started
      // it, plus the timeout): at most the whole timeout. How much less depends on the shared
      // chain's clock, which other specs move forward (evm_increaseTime).
      await expect(countdown, testId).toHaveAttribute(
        'title',
        `at ${formatUtc(Number((await startedAt(started)) + timeout))}`,
      )
      const left = secondsIn((await countdown.textContent()) ?? '')
      expect(left, testId).toBeLessThanOrEqual(Number(timeout))
      expect(left, testId).toBeGreaterThan(0)
    }
  })

  test('the block list shows a new block without a reload', async ({ page }) => {
    test.skip(test.info().project.name !== 'desktop', 'mines a block: once is enough')
    await page.goto('/blocks')
    const rows = page.getByTestId('block-row')
    await expect(rows.first()).toBeVisible()
    await page.evaluate(() => {
      ;(window as unknown as { notReloaded: boolean }).notReloaded = true
    })
    const mined = await mineBlock()
    await expect(page.locator(`[data-testid="block-row"][data-number="${mined}"]`)).toBeVisible()
    // Newest first (anvil also mines a block every 2 s in the stack, so newer ones may follow).
    expect(BigInt((await rows.first().getAttribute('data-number')) ?? '0')).toBeGreaterThanOrEqual(mined)
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true)
  })

  test('screenshots of every page type', async ({ page }, info) => {
    const shots: Array<[string, string, () => Promise<void>]> = [
      ['home', '/', () => expect(page.getByTestId('head-block')).toBeVisible()],
      ['blocks', '/blocks', () => expect(page.getByTestId('block-row').first()).toBeVisible()],
      [
        'block',
        `/blocks/${(await chain.getTransactionReceipt({ hash: activity.tx.redeemA })).blockNumber}`,
        () => expect(page.getByTestId('block-hash')).toBeVisible(),
      ],
      [
        'tx-success',
        `/tx/${activity.tx.redeemA}`,
        () => expect(page.getByTestId('tx-status')).toHaveText('success'),
      ],
      [
        'tx-reverted',
        `/tx/${activity.tx.failedDeposit}`,
        () => expect(page.getByTestId('tx-status')).toHaveText('reverted'),
      ],
      ['tx-node', `/tx/${activity.tx.transfer}`, () => expect(page.getByTestId('source-node')).toBeVisible()],
      [
        'address',
        `/address/${roles.consumer.address.toLowerCase()}`,
        () => expect(page.getByTestId('address-balance')).toBeVisible(),
      ],
      ['channels', '/channels', () => expect(page.getByTestId('channel-row').first()).toBeVisible()],
      [
        'channel',
        `/channels/${activity.channelB}`,
        () => expect(page.getByTestId('channel-phase')).toBeVisible(),
      ],
      [
        'search-miss',
        `/search?q=0x${'ab'.repeat(32)}`,
        () => expect(page.getByTestId('search-message')).toBeVisible(),
      ],
    ]
    const overflowing: string[] = []
    for (const [name, path, ready] of shots) {
      await page.goto(path)
      await ready()
      await screenshot(page, info, name)
      const overflow = await horizontalOverflow(page)
      if (overflow > 0) overflowing.push(`${name}: ${overflow} px wider than the screen`)
    }
    expect(info.attachments.filter((a) => a.contentType === 'image/png')).toHaveLength(shots.length)
    // Nothing makes the page scroll sideways (wide tables scroll inside their own frame).
    expect(overflowing).toEqual([])
  })
})

// Last: it adds a channel and blocks the tests above do not expect.
test.describe('a transaction through another contract', () => {
  test('shows all four logs of its receipt', async ({ page, request }, info) => {
    test.skip(info.project.name !== 'desktop', 'chain activity runs once, on desktop')
    const { hash, contract, channel } = await openThroughContract(request)
    await page.goto(`/tx/${hash}`)
    await expect(page.getByTestId('source-node')).toHaveCount(0)
    const events = page.getByTestId('tx-events').getByTestId('event-row')
    await expect(events.getByTestId('event-name')).toHaveText([
      'Unknown event',
      'Deposited',
      'ChannelOpened',
      'Unknown event',
    ])
    // The opener's own logs raw, from its address; the channel's and the factory's decoded.
    await expect(events.nth(0).locator(`[data-address="${contract}"]`)).toBeVisible()
    await expect(events.nth(0)).toContainText('topic 0:')
    await expect(events.nth(3)).toContainText(`topic 1: 0x${channel.slice(2).padStart(64, '0')}`)
    await expect(events.nth(2).locator('[data-testid="decoded-arg"][data-name="channel"]')).toBeVisible()
    await expect(page.getByTestId('tx-events-note')).toHaveCount(0)
    await expect(page.getByTestId('tx-raw-logs')).toContainText('Logs (4)')
  })
})
