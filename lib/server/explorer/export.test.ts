import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryAbi, intermediaryFactoryAbi } from '../../../contracts/generated'
import { type AppApi, serveAppApi } from '../../../test/kit/appApi'
import type { ChannelEventRow, TxSummary } from '../../explorer/api'
import { eventCsv, txCsv } from '../../explorer/csv'
import { parseCsv } from '../../explorer/csvParse'
import { exportAddressTransactions, exportChannelEvents } from './export'
import { type ExplorerTestbed, startExplorerTestbed } from './testing'

/*
 * The CSV exports over HTTP against a real anvil and a real indexed Postgres: each file equals
 * its page's JSON API row for row (every page of it, through its cursor) and the chain's own
 * values (the node's transactions, receipts, blocks and logs, decoded by viem); ranges and the
 * row limit cut it as asked; hostile parameters get a 400 with a code and a sentence.
 */

let bed: ExplorerTestbed
let app: AppApi

beforeAll(async () => {
  bed = await startExplorerTestbed()
  app = await serveAppApi({ testbed: bed.chain, database: bed.database })
}, 120_000)

afterAll(async () => {
  await app?.close()
  await bed?.stop()
})

const get = (path: string) => fetch(`${app.url}${path}`)

/** Every item of a cursor-paged JSON API, two at a time. */
async function allPages<T>(path: string, items: (body: Record<string, unknown>) => T[]): Promise<T[]> {
  const out: T[] = []
  let cursor: string | null = null
  do {
    const res = await get(`${path}?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    out.push(...items(body))
    cursor = body.nextCursor as string | null
  } while (cursor)
  return out
}

const csvTextOf = async (res: Response) => {
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
  return res.text()
}

describe("an address's transactions as CSV", () => {
  it('equal its API pages row for row, and the node’s transactions, receipts and block times', async () => {
    const res = await get(`/api/address/${bed.channel}/transactions.csv`)
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="transactions-${bed.channel}-chain-31337.csv"`,
    )
    const text = await csvTextOf(res)
    const listed = await allPages<TxSummary>(
      `/api/address/${bed.channel}`,
      (b) => b.transactions as TxSummary[],
    )
    expect(listed).toHaveLength(5)
    expect(text).toBe(txCsv.header + listed.map(txCsv.line).join(''))

    const [header, ...rows] = parseCsv(text)
    expect(header).toEqual([
      'hash',
      'block_number',
      'tx_index',
      'timestamp_utc',
      'from',
      'to',
      'contract_address',
      'value_wei',
      'fee_wei',
      'status',
      'method',
      'channel',
    ])
    const client = bed.chain.publicClient
    for (const row of rows) {
      const [hash, block, index, time, from, to, , value, fee, status, method] = row as string[]
      const tx = await client.getTransaction({ hash: hash as `0x${string}` })
      const receipt = await client.getTransactionReceipt({ hash: hash as `0x${string}` })
      const { timestamp } = await client.getBlock({ blockNumber: receipt.blockNumber })
      expect({ block, index, time, from, to, value, fee, status }).toEqual({
        block: receipt.blockNumber.toString(),
        index: String(receipt.transactionIndex),
        time: new Date(Number(timestamp) * 1000).toISOString(),
        from: tx.from.toLowerCase(),
        to: tx.to?.toLowerCase(),
        value: tx.value.toString(),
        fee: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
        status: receipt.status,
      })
      expect(method).toMatch(/^(deposit|startRedemption|redeem)$/)
    }
    expect(rows.map((r) => r[0])[0]).toBe(bed.tx.failed)
  })

  it('pages through the cursor read: a page size of 2 writes the same file', async () => {
    const whole = await (await get(`/api/address/${bed.channel}/transactions.csv`)).text()
    const paged = await exportAddressTransactions(bed.ctx, bed.channel, new URLSearchParams(), {
      pageSize: 2,
    })
    expect(await paged.text()).toBe(whole)
  })

  it('keeps to a block range or a UTC date range, and says so in the file name', async () => {
    const all = parseCsv(await (await get(`/api/address/${bed.channel}/transactions.csv`)).text()).slice(1)
    const blocks = all.map((r) => BigInt(r[1] as string))
    const [low, high] = [blocks.at(-2) as bigint, blocks[1] as bigint]
    const ranged = await get(`/api/address/${bed.channel}/transactions.csv?fromBlock=${low}&toBlock=${high}`)
    expect(ranged.headers.get('content-disposition')).toContain(`-blocks-${low}-${high}.csv`)
    expect(parseCsv(await csvTextOf(ranged)).slice(1)).toEqual(
      all.filter((r) => BigInt(r[1] as string) >= low && BigInt(r[1] as string) <= high),
    )
    // The newest row's time as fromDate: the rows at and after it.
    const newest = all[0]?.[3] as string
    const since = parseCsv(
      await csvTextOf(
        await get(`/api/address/${bed.channel}/transactions.csv?fromDate=${newest.slice(0, 19)}Z`),
      ),
    ).slice(1)
    expect(since).toEqual(all.filter((r) => (r[3] as string) >= newest))
    expect(since.length).toBeGreaterThan(0)
    // A day before the chain began: a header and no rows.
    const before = await csvTextOf(
      await get(`/api/address/${bed.channel}/transactions.csv?toDate=2000-01-01`),
    )
    expect(before).toBe(txCsv.header)
  })

  it('refuses more rows than the limit with 400 too_many_rows, before sending any', async () => {
    const res = await get(`/api/address/${bed.channel}/transactions.csv?limit=4`)
    expect(res.status).toBe(400)
    const { error } = (await res.json()) as { error: { code: string; message: string } }
    expect(error.code).toBe('too_many_rows')
    expect(error.message).toMatch(/more than 4 rows.*fromBlock and toBlock, or fromDate and toDate\.$/)
    expect(
      parseCsv(await csvTextOf(await get(`/api/address/${bed.channel}/transactions.csv?limit=5`))),
    ).toHaveLength(6)
  })
})

describe("a channel's events as CSV", () => {
  it('equal the channel page’s timeline row for row, and the logs viem decodes from the node', async () => {
    const res = await get(`/api/channels/${bed.channel}/events.csv`)
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="channel-events-${bed.channel}-chain-31337.csv"`,
    )
    const text = await csvTextOf(res)
    const detail = (await (await get(`/api/channels/${bed.channel}`)).json()) as { events: ChannelEventRow[] }
    expect(text).toBe(eventCsv.header + detail.events.map(eventCsv.line).join(''))

    // The channel's own logs and the factory's ChannelOpened for it, newest first.
    const client = bed.chain.publicClient
    const own = await client.getContractEvents({ address: bed.channel, abi: intermediaryAbi, fromBlock: 0n })
    const opened = await client.getContractEvents({
      address: bed.factory,
      abi: intermediaryFactoryAbi,
      eventName: 'ChannelOpened',
      fromBlock: 0n,
    })
    const logs = [...own, ...opened.filter((l) => l.args.channel?.toLowerCase() === bed.channel)].sort(
      (a, b) =>
        a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : Number(a.blockNumber - b.blockNumber),
    )
    const text2 = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : String(v))
    expect(parseCsv(text)).toEqual([
      ['block_number', 'timestamp_utc', 'tx_hash', 'log_index', 'channel', 'event', 'args'],
      ...(await Promise.all(
        logs.reverse().map(async (log) => [
          log.blockNumber.toString(),
          new Date(
            Number((await bed.chain.publicClient.getBlock({ blockNumber: log.blockNumber })).timestamp) *
              1000,
          ).toISOString(),
          log.transactionHash,
          String(log.logIndex),
          bed.channel,
          log.eventName,
          Object.entries(log.args as Record<string, unknown>)
            .map(([k, v]) => `${k}=${text2(v)}`)
            .join(' '),
        ]),
      )),
    ])
    expect(text).toContain('amount=5000')
  })

  it('pages through the cursor read, and a channel that is not one is a 404', async () => {
    const whole = await (await get(`/api/channels/${bed.channel}/events.csv`)).text()
    const paged = await exportChannelEvents(bed.ctx, bed.channel, new URLSearchParams(), { pageSize: 1 })
    expect(await paged.text()).toBe(whole)
    const consumer = bed.chain.consumer.address.toLowerCase()
    const res = await get(`/api/channels/${consumer}/events.csv`)
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found')
  })
})

describe('hostile parameters', () => {
  const cases: Array<[string, string, string, string]> = [
    ['a 20-digit block', 'fromBlock=99999999999999999999', 'invalid_range', 'fromBlock'],
    ['a block past int8', 'toBlock=9223372036854775808', 'invalid_range', 'toBlock'],
    ['an exponent', 'fromBlock=1e30', 'invalid_range', 'fromBlock'],
    ['a negative block', 'toBlock=-1', 'invalid_range', 'toBlock'],
    ['a range backwards', 'fromBlock=5&toBlock=4', 'invalid_range', 'fromBlock'],
    ['a block and a date for one end', 'fromBlock=1&fromDate=2026-01-01', 'invalid_range', 'fromBlock'],
    ['February 30th', 'fromDate=2026-02-30', 'invalid_range', 'fromDate'],
    ['hour 25', 'toDate=2026-12-07T25:00Z', 'invalid_range', 'toDate'],
    ['a local time', 'toDate=2026-12-07T10:00:00%2B01:00', 'invalid_range', 'toDate'],
    ['a word for a date', 'fromDate=yesterday', 'invalid_range', 'fromDate'],
    ['dates backwards', 'fromDate=2026-12-07&toDate=2026-12-06', 'invalid_range', 'fromDate'],
    ['a zero limit', 'limit=0', 'invalid_request', 'limit'],
    ['a limit past the most', 'limit=100001', 'invalid_request', 'limit'],
    ['a huge limit', `limit=${'9'.repeat(80)}`, 'invalid_request', 'limit'],
    ['a control character', 'fromDate=2026-12-07%07', 'invalid_text', 'fromDate'],
    ['a NUL', 'limit=1%00', 'invalid_text', 'limit'],
  ]
  it.each(cases)(
    '%s is a 400 with its code and a sentence naming the parameter',
    async (_, query, code, names) => {
      for (const path of [
        `/api/address/${bed.channel}/transactions.csv`,
        `/api/channels/${bed.channel}/events.csv`,
      ]) {
        const res = await get(`${path}?${query}`)
        const body = (await res.json()) as { error: { code: string; message: string } }
        expect({ status: res.status, code: body.error.code }).toEqual({ status: 400, code })
        expect(body.error.message).toContain(names)
        expect(body.error.message).toMatch(/\.$/)
      }
    },
  )

  it('a bad address is a 400 invalid_address', async () => {
    for (const path of ['/api/address/0xzz/transactions.csv', '/api/channels/0x1234/events.csv']) {
      const res = await get(path)
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_address')
    }
  })
})
