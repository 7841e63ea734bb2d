import { existsSync } from 'node:fs'
import SwaggerParser from '@apidevtools/swagger-parser'
import { type APIRequestContext, expect, test } from '@playwright/test'
import type { Hex } from 'viem'
import { intermediaryAbi, intermediaryFactoryAbi } from '../contracts/generated'
import type {
  AddressDetail,
  BlockDetail,
  BlockPage,
  ChannelDetail,
  ChannelPage,
  Countdown,
  TxDetail,
} from '../lib/explorer/api'
import { type Activity, explorerActivity, plan } from './kit/activity'
import { factoryAddress, getJson, waitForIndexed } from './kit/api'
import { cast, castRevertData, castRpcJson, decimalOf, normalised, parseCastJson } from './kit/cast'
import { chain, mineBlock, roles } from './kit/chain'
import { type ExpectedTx, expectedTransactions } from './kit/expected'
import { expectArgs, headerSearch, horizontalOverflow, screenshot, searchFromHeader } from './kit/pages'

/**
 * The block and channel explorer against the whole stack: chain activity made here with viem
 * (two channels, a deposit, a redemption with a real token, a call that reverts, an ether
 * transfer the indexer does not index), read back through the JSON API, through the pages in a
 * browser, and through foundry's `cast` as an independent client.
 */

let activity: Activity
let expected: ExpectedTx[]

test.beforeAll(async ({ playwright }, info) => {
  const request = await playwright.request.newContext({ baseURL: info.project.use.baseURL })
  try {
    activity = await explorerActivity(await factoryAddress(request))
    await waitForIndexed(request, activity.lastBlock)
    expected = await expectedTransactions(activity)
  } finally {
    await request.dispose()
  }
})

const byLabel = (label: string) => {
  const tx = expected.find((t) => t.label === label)
  if (!tx) throw new Error(`no transaction labelled ${label}`)
  return tx
}
const txLabels = ['open', 'deposit', 'startRedemption', 'redeem', 'failed deposit', 'ether transfer']

/** An event of the channel or factory ABI (for which of its arguments are indexed). */
const eventAbi = (name: string | null) => {
  const found = [...intermediaryAbi, ...intermediaryFactoryAbi].find(
    (i) => i.type === 'event' && i.name === name,
  )
  if (found?.type !== 'event') throw new Error(`no event ${name} in the project's ABIs`)
  return found
}

/** Seconds in a duration as the pages write it: '2 h 59 min', '59 min 58 s'. */
const secondsIn = (text: string) => {
  const sizes: Record<string, number> = { d: 86_400, h: 3_600, min: 60, s: 1 }
  let total = 0
  for (const [, n, unit] of text.matchAll(/(\d+) (d|h|min|s)\b/g))
    total += Number(n) * (sizes[unit as string] ?? 0)
  return total
}

const txDetail = (request: APIRequestContext, hash: string) => getJson<TxDetail>(request, `/api/tx/${hash}`)

/** Event arguments by name, for messages that show which one differs. */
const argMap = (args: Array<{ name: string; value: unknown }> | null) =>
  Object.fromEntries((args ?? []).map((a) => [a.name, a.value]))

test.describe('JSON API', () => {
  test.skip(({ isMobile }) => isMobile, 'the API answers the same to every browser: checked once')

  for (const label of txLabels) {
    test(`GET /api/tx/{hash} decodes the ${label} transaction exactly`, async ({ request }) => {
      const want = byLabel(label)
      const { transaction: tx, events } = await txDetail(request, want.hash)
      const receipt = await chain.getTransactionReceipt({ hash: want.hash })
      expect(tx.hash).toBe(want.hash)
      expect(tx.source).toBe(want.source)
      expect(tx.status).toBe(want.status)
      expect(tx.from).toBe(want.from)
      expect(tx.to).toBe(want.to)
      expect(tx.value).toBe(want.value.toString())
      expect(tx.blockNumber).toBe(receipt.blockNumber.toString())
      expect(tx.blockHash).toBe(receipt.blockHash)
      expect(tx.gasUsed).toBe(receipt.gasUsed.toString())
      expect(tx.fee).toBe((receipt.gasUsed * receipt.effectiveGasPrice).toString())
      if (want.call === null) expect(tx.call).toBeNull()
      else
        expect(tx.call).toMatchObject({
          name: want.call.name,
          signature: want.call.signature,
          args: want.call.args,
        })
      expect(events.map((e) => ({ name: e.name, address: e.address, args: argMap(e.args) }))).toEqual(
        want.events.map((e) => ({ name: e.name, address: e.address, args: argMap(e.args) })),
      )
      for (const [i, e] of events.entries()) expect(e.args, `event ${i} types`).toEqual(want.events[i]?.args)
      if (want.revert === null) expect(tx.revert).toBeNull()
      else {
        expect(tx.revert?.name).toBe(want.revert.name)
        expect(tx.revert?.args).toEqual(want.revert.args)
        expect(tx.revert?.message).toMatch(/consumer/i)
        expect(tx.revert?.data).toBe(await cast('sig', 'NotConsumer()'))
      }
    })
  }

  test('GET /api/tx/{hash} agrees with what foundry’s cast reads from the node', async ({ request }) => {
    for (const want of expected) {
      const { transaction: tx, events } = await txDetail(request, want.hash)
      const node = await castRpcJson('tx', want.hash)
      const receipt = await castRpcJson('receipt', want.hash)
      const what = `${want.label} (${want.hash})`
      expect(tx.status, what).toBe(decimalOf(receipt.status) === '1' ? 'success' : 'reverted')
      expect(tx.gasUsed, what).toBe(decimalOf(receipt.gasUsed))
      expect(tx.gasLimit, what).toBe(decimalOf(node.gas))
      expect(tx.value, what).toBe(decimalOf(node.value))
      expect(tx.nonce, what).toBe(decimalOf(node.nonce))
      expect(tx.effectiveGasPrice, what).toBe(decimalOf(receipt.effectiveGasPrice))
      expect(tx.fee, what).toBe(
        (BigInt(decimalOf(receipt.gasUsed)) * BigInt(decimalOf(receipt.effectiveGasPrice))).toString(),
      )
      expect(tx.blockNumber, what).toBe(decimalOf(receipt.blockNumber))
      expect(tx.txIndex, what).toBe(decimalOf(receipt.transactionIndex))
      expect(tx.from, what).toBe(String(node.from).toLowerCase())
      expect(tx.to, what).toBe(String(node.to).toLowerCase())
      expect(tx.input, what).toBe(String(node.input).toLowerCase())
      const logs = receipt.logs as Array<{
        address: string
        topics: string[]
        data: string
        logIndex: string
      }>
      expect(
        events.map((e) => ({ logIndex: e.logIndex, address: e.address, topics: e.topics, data: e.data })),
        what,
      ).toEqual(
        logs.map((l) => ({
          logIndex: decimalOf(l.logIndex),
          address: l.address.toLowerCase(),
          topics: l.topics.map((t) => t.toLowerCase()),
          data: l.data.toLowerCase(),
        })),
      )

      // A revert: the data the node gives when cast replays the call, and the error's selector.
      if (tx.revert) {
        const data = await castRevertData({
          from: tx.from,
          to: tx.to ?? '',
          input: tx.input,
          value: tx.value,
          block: BigInt(tx.blockNumber ?? '0'),
        })
        expect(tx.revert.data, what).toBe(data)
        const errorSignature = `${tx.revert.name}(${tx.revert.args.map((a) => a.type).join(',')})`
        expect(data?.slice(0, 10), `${what}: ${errorSignature}`).toBe(await cast('sig', errorSignature))
      } else expect(decimalOf(receipt.status), what).toBe('1')

      // The call's arguments as cast decodes them with the signature the API names.
      if (tx.call) {
        expect(tx.call.selector, what).toBe(await cast('sig', tx.call.signature))
        expect(tx.input.slice(0, 10), what).toBe(tx.call.selector)
      }
      if (tx.call && tx.call.args.length > 0) {
        const decoded = parseCastJson(
          await cast('calldata-decode', '--json', tx.call.signature, String(node.input)),
        ) as unknown[]
        expect(
          tx.call.args.map((a) => a.value),
          `${what}: ${tx.call.signature}`,
        ).toEqual(decoded.map(normalised))
      } else if (!tx.call) expect(want.call, what).toBeNull()

      // Each event: topic0 is the signature's hash, indexed arguments come from the topics and
      // the others from the data, each decoded by cast.
      for (const event of events) {
        const abiEvent = eventAbi(event.name)
        const canonical = `${abiEvent.name}(${abiEvent.inputs.map((i) => i.type).join(',')})`
        expect(event.signature, `${what}: log ${event.logIndex}`).toBe(canonical)
        expect(event.topics[0], `${what}: ${canonical}`).toBe(await cast('sig-event', canonical))
        const args = event.args ?? []
        const indexed = abiEvent.inputs.map((i) => 'indexed' in i && i.indexed === true)
        const fromTopics: unknown[] = []
        for (const [i, arg] of args.entries()) {
          if (!indexed[i]) continue
          const topic = event.topics[fromTopics.length + 1] as string
          fromTopics.push(
            ...(parseCastJson(
              await cast('abi-decode', '--json', '--input', `f(${arg.type})`, topic),
            ) as unknown[]),
          )
        }
        const dataTypes = args.filter((_, i) => !indexed[i]).map((a) => a.type)
        const fromData =
          dataTypes.length === 0
            ? []
            : (parseCastJson(
                await cast('abi-decode', '--json', '--input', `f(${dataTypes.join(',')})`, event.data),
              ) as unknown[])
        let t = 0
        let d = 0
        const byCast = args.map((_, i) => normalised(indexed[i] ? fromTopics[t++] : fromData[d++]))
        expect(
          args.map((a) => a.value),
          `${what}: ${event.name}`,
        ).toEqual(byCast)
      }
    }
  })

  test('GET /api/search finds blocks, transactions and addresses, and says why it does not', async ({
    request,
  }) => {
    const search = async (q: string) => {
      const res = await request.get(`/api/search?q=${encodeURIComponent(q)}`)
      return { status: res.status(), body: await res.json() }
    }
    const redeem = byLabel('redeem')
    const block = (await chain.getTransactionReceipt({ hash: redeem.hash })).blockNumber
    expect(await search(redeem.hash)).toEqual({
      status: 200,
      body: { kind: 'transaction', path: `/tx/${redeem.hash}` },
    })
    // Hashes and addresses in capitals are the same hashes and addresses.
    expect((await search(redeem.hash.toUpperCase().replace('0X', '0x'))).body.path).toBe(`/tx/${redeem.hash}`)
    expect(await search(activity.tx.transfer)).toEqual({
      status: 200,
      body: { kind: 'transaction', path: `/tx/${activity.tx.transfer}` },
    })
    expect(await search(block.toString())).toEqual({
      status: 200,
      body: { kind: 'block', path: `/blocks/${block}` },
    })
    const blockHash = (await chain.getBlock({ blockNumber: block })).hash
    expect(await search(blockHash)).toEqual({
      status: 200,
      body: { kind: 'block', path: `/blocks/${block}` },
    })
    expect((await search(activity.channelA)).body).toEqual({
      kind: 'address',
      path: `/channels/${activity.channelA}`,
    })
    expect((await search(redeem.from)).body).toEqual({ kind: 'address', path: `/address/${redeem.from}` })

    const unknownHash = `0x${'ab'.repeat(32)}`
    const miss = await search(unknownHash)
    expect(miss.status).toBe(404)
    expect(miss.body.error.code).toBe('not_found')
    expect(miss.body.error.message).toContain(unknownHash)
    const head = await chain.getBlockNumber({ cacheTime: 0 })
    const future = await search((head + 1000n).toString())
    expect(future.status).toBe(404)
    expect(future.body.error.message).toMatch(new RegExp(`Block ${head + 1000n} does not exist`))
    for (const garbage of ['0x1234', 'hello world!', `0x${'g'.repeat(64)}`]) {
      const bad = await search(garbage)
      expect(bad.status, garbage).toBe(400)
      expect(bad.body.error.code, garbage).toBe('invalid_query')
      expect(bad.body.error.message, garbage).toMatch(/not a block number, a transaction hash/)
    }
  })

  test('GET /api/blocks/{number} is the node’s block with the transactions in it', async ({ request }) => {
    const redeem = byLabel('redeem')
    const receipt = await chain.getTransactionReceipt({ hash: redeem.hash })
    const node = await chain.getBlock({ blockNumber: receipt.blockNumber })
    const { block, transactions } = await getJson<BlockDetail>(request, `/api/blocks/${receipt.blockNumber}`)
    expect(block).toMatchObject({
      number: node.number.toString(),
      hash: node.hash,
      parentHash: node.parentHash,
      miner: node.miner.toLowerCase(),
      gasUsed: node.gasUsed.toString(),
      gasLimit: node.gasLimit.toString(),
      baseFeePerGas: node.baseFeePerGas?.toString() ?? null,
      size: node.size.toString(),
      txCount: String(node.transactions.length),
    })
    expect(Date.parse(block.timestamp)).toBe(Number(node.timestamp) * 1000)
    expect(transactions.map((t) => t.hash)).toEqual(node.transactions)
    expect(transactions.find((t) => t.hash === redeem.hash)).toMatchObject({
      method: 'redeem',
      status: 'success',
      from: redeem.from,
      to: redeem.to,
    })

    const page = await getJson<BlockPage>(request, '/api/blocks?limit=5')
    expect(page.blocks).toHaveLength(5)
    const numbers = page.blocks.map((b) => BigInt(b.number))
    expect(numbers).toEqual([...numbers].sort((x, y) => (x > y ? -1 : 1)))
    expect(numbers[0]).toBeGreaterThanOrEqual(BigInt(activity.lastBlock))
    const next = await getJson<BlockPage>(request, `/api/blocks?limit=5&cursor=${page.nextCursor}`)
    expect(BigInt(next.blocks[0]?.number ?? '0')).toBe((numbers[4] as bigint) - 1n)
  })

  test('GET /api/address/{address} and /api/channels/{address} tell balances, channels and countdowns', async ({
    request,
  }) => {
    const { a, b } = plan
    const consumer = roles.consumer.address.toLowerCase()
    const account = await getJson<AddressDetail>(request, `/api/address/${consumer}`)
    expect(account.kind).toBe('account')
    expect(account.balance).toBe((await chain.getBalance({ address: roles.consumer.address })).toString())
    expect(account.nonce).toBe(String(await chain.getTransactionCount({ address: roles.consumer.address })))
    expect(account.channels.map((c) => c.address).sort()).toEqual(
      expect.arrayContaining([activity.channelA, activity.channelB].sort()),
    )
    expect(account.transactions.map((t) => t.hash)).toEqual(
      expect.arrayContaining([activity.tx.openA, activity.tx.depositA, activity.tx.openB]),
    )

    const redeemed = a.requests * a.costPerRequest
    const channelA = await getJson<ChannelDetail>(request, `/api/channels/${activity.channelA}`)
    expect(channelA.channel).toMatchObject({
      address: activity.channelA,
      consumer,
      provider: roles.provider.address.toLowerCase(),
      phase: 'open',
      costPerRequest: a.costPerRequest.toString(),
      consumerFunds: (a.firstDeposit + a.deposit - redeemed).toString(),
      providerFunds: redeemed.toString(),
      activeTokenId: a.newTokenId.toString(),
      expiringTokenId: '0',
      totalDeposited: (a.firstDeposit + a.deposit).toString(),
      totalRedeemed: redeemed.toString(),
      totalRequests: a.requests.toString(),
      redemptions: '1',
      openedTx: activity.tx.openA,
    })
    expect(channelA.countdowns).toEqual({ redeemable: null, termination: null })
    expect(channelA.events.map((e) => e.name)).toEqual([
      'Redeemed',
      'RedemptionStarted',
      'Deposited',
      'ChannelOpened',
      'Deposited',
    ])
    // The calls to the channel and the factory call that opened it, newest first.
    expect(channelA.transactions.map((t) => t.hash)).toEqual([
      activity.tx.failedDeposit,
      activity.tx.redeemA,
      activity.tx.startRedemptionA,
      activity.tx.depositA,
      activity.tx.openA,
    ])
    expect(channelA.transactions.find((t) => t.hash === activity.tx.failedDeposit)?.status).toBe('reverted')

    const channelB = await getJson<ChannelDetail>(request, `/api/channels/${activity.channelB}`)
    const startedAt = async (hash: Hex) =>
      (await chain.getBlock({ blockNumber: (await chain.getTransactionReceipt({ hash })).blockNumber }))
        .timestamp
    const redeemableAt = (await startedAt(activity.tx.startRedemptionB)) + b.redemptionTimeout
    const terminatesAt = (await startedAt(activity.tx.startTerminationB)) + b.terminationTimeout
    expect(channelB.channel).toMatchObject({
      phase: 'terminating',
      expiringTokenId: '1',
      activeTokenId: b.newTokenId.toString(),
      redeemableAt: redeemableAt.toString(),
      terminatesAt: terminatesAt.toString(),
    })
    const at = (c: Countdown | null) => (c ? Date.parse(c.at) / 1000 : null)
    expect(at(channelB.countdowns.redeemable)).toBe(Number(redeemableAt))
    expect(at(channelB.countdowns.termination)).toBe(Number(terminatesAt))
    expect(channelB.countdowns.redeemable?.due).toBe(false)
    expect(channelB.countdowns.termination?.due).toBe(false)
    const head = await chain.getBlock()
    const left = (at: bigint) => Number(at - head.timestamp)
    expect(channelB.countdowns.redeemable?.secondsLeft).toBeGreaterThan(0)
    expect(channelB.countdowns.redeemable?.secondsLeft).toBeLessThanOrEqual(left(redeemableAt) + 5)
    expect(channelB.countdowns.termination?.secondsLeft).toBeGreaterThan(Number(b.redemptionTimeout))
    expect(channelB.countdowns.termination?.secondsLeft).toBeLessThanOrEqual(left(terminatesAt) + 5)

    const list = await getJson<ChannelPage>(request, '/api/channels')
    expect(
      list.channels.filter((c) => c.address === activity.channelA || c.address === activity.channelB),
    ).toHaveLength(2)
  })

  test('the OpenAPI document validates and describes every explorer route', async ({ request }) => {
    const document = await getJson<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      request,
      '/api/openapi.json',
    )
    expect(document.openapi).toMatch(/^3\.1\./)
    await SwaggerParser.validate(structuredClone(document) as never)
    const routes = [
      '/api/blocks',
      '/api/blocks/{number}',
      '/api/tx/{hash}',
      '/api/address/{address}',
      '/api/channels',
      '/api/channels/{address}',
      '/api/events',
      '/api/search',
    ]
    for (const route of routes) {
      expect(document.paths[route], route).toBeDefined()
      expect(Object.keys(document.paths[route] ?? {}), route).toContain('get')
    }
    // And nothing it lists is missing from the app: every path has a route handler.
    const files = Object.keys(document.paths).map((p) => `app${p.replace(/\{(\w+)\}/g, '[$1]')}/route.ts`)
    for (const file of files) expect(existsSync(file), file).toBe(true)
  })
})

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
    for (const [testId, timeout] of [
      ['countdown-redeemable', plan.b.redemptionTimeout],
      ['countdown-termination', plan.b.terminationTimeout],
    ] as const) {
      const countdown = page.getByTestId(testId)
      await expect(countdown, testId).toHaveAttribute('data-due', 'false')
      await expect(countdown, testId).toHaveText(/^in \d+ (h|min)\b/)
      // What it says is the time left: at most the whole timeout, and not much less (the chain's
      // clock moves only with new blocks).
      const left = secondsIn((await countdown.textContent()) ?? '')
      expect(left, testId).toBeLessThanOrEqual(Number(timeout))
      expect(left, testId).toBeGreaterThan(Number(timeout) - 600)
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
