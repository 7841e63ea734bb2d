import { existsSync } from 'node:fs'
import SwaggerParser from '@apidevtools/swagger-parser'
import { expect, test } from '@playwright/test'
import type { Hex } from 'viem'
import { intermediaryAbi, intermediaryFactoryAbi } from '../contracts/generated'
import type {
  AddressDetail,
  BlockDetail,
  BlockPage,
  ChannelDetail,
  ChannelPage,
  Countdown,
} from '../lib/explorer/api'
import { type Activity, plan } from './kit/activity'
import { getJson } from './kit/api'
import { cast, castRevertData, castRpcJson, decimalOf, normalised, parseCastJson } from './kit/cast'
import { chain, roles } from './kit/chain'
import type { ExpectedTx } from './kit/expected'
import { readExplorerActivity, txByLabel, txDetail, txLabels } from './kit/explorer'

/**
 * The block and channel explorer's JSON API against the whole stack: chain activity made with
 * viem (two channels, a deposit, a redemption with a real token, a call that reverts, an ether
 * transfer the indexer does not index; see kit/activity.ts), read back through the API and
 * through foundry's `cast` as an independent client. The pages: explorer.pages.spec.ts.
 */

let activity: Activity
let expected: ExpectedTx[]

test.beforeAll(async ({ playwright }, info) => {
  ;({ activity, expected } = await readExplorerActivity({ playwright }, info))
})

const byLabel = (label: string) => txByLabel(expected, label)

/** An event of the channel or factory ABI (for which of its arguments are indexed). */
const eventAbi = (name: string | null) => {
  const found = [...intermediaryAbi, ...intermediaryFactoryAbi].find(
    (i) => i.type === 'event' && i.name === name,
  )
  if (found?.type !== 'event') throw new Error(`no event ${name} in the project's ABIs`)
  return found
}

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
