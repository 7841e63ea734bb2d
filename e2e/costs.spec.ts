import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { type APIRequestContext, expect, type Locator, type Page, test } from '@playwright/test'
import { type Address, type Hex, keccak256, parseEther, parseEventLogs, parseGwei, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { intermediaryAbi, intermediaryFactoryAbi } from '../contracts/generated'
import type { CostGraph } from '../lib/costs/api'
import { signTokenNative } from '../lib/server/tokenCrypto'
import { ANVIL_KEYS } from '../stack/anvil'
import { factoryAddress, getJson } from './kit/api'
import { advanceTime, anvilUrl, chain, testClient, walletFor } from './kit/chain'
import { screenshot } from './kit/pages'
import { injectWallet } from './kit/wallet'

/**
 * Costs as a manager would see them. Four fresh services (keys derived from a per-run suffix)
 * pay each other through channels made with viem: alice → charlie and bob → charlie at 10 gwei
 * a request, charlie → dave at 5 gwei; the providers redeem 30, 10 and 20 requests. Three get
 * their label through the API with the admin key, dave through the Services page with a label
 * admin's wallet (after a wallet that is not one is refused). Then /costs: the graph, the
 * tables by service and by pair, the CSV export against the table, a custom window, the
 * service pages with their fully loaded cost and runway, and an edge to its channel.
 */

const dataDir = process.env.E2E_DATA_DIR ?? '.data/e2e'
const adminKey = () =>
  (JSON.parse(readFileSync(path.join(dataDir, 'payment-secrets.json'), 'utf8')) as { adminKey: string })
    .adminKey

/** Lowercase hex, so the names match ^[a-z][a-z0-9-]{0,39}$. */
const id = randomBytes(4).toString('hex')
const keyOf = (role: string) => keccak256(stringToHex(`channel-inspector e2e costs ${role} ${id}`))
const ROLES = ['alice', 'bob', 'charlie', 'dave'] as const
type Role = (typeof ROLES)[number]
const keys = Object.fromEntries(ROLES.map((r) => [r, keyOf(r)])) as Record<Role, Hex>
const accounts = Object.fromEntries(ROLES.map((r) => [r, privateKeyToAccount(keys[r])])) as Record<
  Role,
  ReturnType<typeof privateKeyToAccount>
>
const addr = (r: Role) => accounts[r].address.toLowerCase() as Address
const nameOf = (r: Role) => `e2e-${r}-${id}`
const teamOf: Record<Role, string> = {
  alice: `e2e-apps-${id}`,
  bob: `e2e-apps-${id}`,
  charlie: `e2e-core-${id}`,
  dave: `e2e-infra-${id}`,
}
/** A wallet that is not a label admin (never funded: it only signs). */
const strangerKey = keyOf('stranger')
/** anvil's first dev account: LABEL_ADMINS on the local stack. */
const labelAdminKey = ANVIL_KEYS[0] as Hex

const gwei = (n: number) => parseGwei(String(n))
const REDEMPTION_TIMEOUT = 60n
const TERMINATION_TIMEOUT = 600n

/** The three channels: consumer → provider, price, deposit, requests redeemed on token 1. */
const plan = [
  {
    key: 'ac',
    consumer: 'alice',
    provider: 'charlie',
    price: gwei(10),
    deposit: parseEther('0.001'),
    requests: 30n,
  },
  {
    key: 'bc',
    consumer: 'bob',
    provider: 'charlie',
    price: gwei(10),
    deposit: parseEther('0.0005'),
    requests: 10n,
  },
  {
    key: 'cd',
    consumer: 'charlie',
    provider: 'dave',
    price: gwei(5),
    deposit: parseEther('0.002'),
    requests: 20n,
  },
] as const satisfies readonly {
  key: string
  consumer: Role
  provider: Role
  price: bigint
  deposit: bigint
  requests: bigint
}[]
type ChannelKey = (typeof plan)[number]['key']

// Settled per pair: 30 × 10 gwei, 10 × 10 gwei, 20 × 5 gwei.
const SETTLED: Record<ChannelKey, bigint> = { ac: gwei(300), bc: gwei(100), cd: gwei(100) }

/** Filled by the first test, read by the next ones (serial, one worker). */
const made = {
  channels: {} as Record<ChannelKey, Address>,
  /** Chain time (unix s) of the earliest of the three redemptions. */
  firstRedemptionAt: 0,
}

/** Service table rows, as the graph's nodes should give them (window "all", nothing pending). */
const SERVICE_COLUMNS = [
  'service',
  'team',
  'address',
  'paid_wei',
  'earned_wei',
  'net_wei',
  'requests_made',
  'requests_served',
  'pending_paid_wei',
  'pending_earned_wei',
]
const serviceRow = (r: Role, paid: bigint, earned: bigint, requestsMade: bigint, served: bigint) => ({
  service: nameOf(r),
  team: teamOf[r],
  address: addr(r),
  paid_wei: paid.toString(),
  earned_wei: earned.toString(),
  net_wei: (earned - paid).toString(),
  requests_made: requestsMade.toString(),
  requests_served: served.toString(),
  pending_paid_wei: '0',
  pending_earned_wei: '0',
})
const expectedServices = () => ({
  alice: serviceRow('alice', gwei(300), 0n, 30n, 0n),
  bob: serviceRow('bob', gwei(100), 0n, 10n, 0n),
  // charlie pays dave 100 gwei, earns 300 + 100 from alice and bob: net 300 gwei.
  charlie: serviceRow('charlie', gwei(100), gwei(400), 20n, 40n),
  dave: serviceRow('dave', 0n, gwei(100), 0n, 20n),
})

const PAIR_COLUMNS = [
  'consumer',
  'consumer_team',
  'provider',
  'provider_team',
  'channels',
  'price_wei',
  'requests',
  'settled_wei',
  'unconfirmed_wei',
  'pending_wei',
]
const expectedPairs = () =>
  plan.map((c) => ({
    consumer: nameOf(c.consumer),
    consumer_team: teamOf[c.consumer],
    provider: nameOf(c.provider),
    provider_team: teamOf[c.provider],
    channels: '1',
    price_wei: c.price.toString(),
    requests: c.requests.toString(),
    settled_wei: SETTLED[c.key].toString(),
    unconfirmed_wei: '0',
    pending_wei: '0',
  }))

type Cells = { col: string; value: string }[]

/** The cost table as rendered: each row's cells (data-col, data-value) in order. */
async function renderedTable(page: Page): Promise<Cells[]> {
  return page.getByTestId('cost-table').evaluate((table) =>
    [...table.querySelectorAll('tbody > tr')].map((tr) =>
      [...tr.querySelectorAll(':scope > td')].map((td) => ({
        col: (td as HTMLElement).dataset.col ?? '',
        value: (td as HTMLElement).dataset.value ?? '',
      })),
    ),
  )
}

const asRecord = (cells: Cells) => Object.fromEntries(cells.map((c) => [c.col, c.value]))

/** RFC 4180: quoted fields, doubled quotes, CRLF or LF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += ch
  }
  if (field !== '' || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  return rows
}

const graphAll = (request: APIRequestContext) => getJson<CostGraph>(request, '/api/costs/graph?window=all')

const edgeOf = (g: CostGraph, c: (typeof plan)[number]) =>
  g.edges.find((e) => e.consumer === addr(c.consumer) && e.provider === addr(c.provider))

/** An amount card or cell: the exact wei of the Amount inside. */
const wei = (scope: Locator) => scope.locator('[data-wei]').first()

const node = (page: Page, r: Role) => page.locator(`[data-testid="graph-node"][data-address="${addr(r)}"]`)
const edge = (page: Page, c: (typeof plan)[number]) =>
  page.locator(
    `[data-testid="graph-edge"][data-consumer="${addr(c.consumer)}"][data-provider="${addr(c.provider)}"]`,
  )

/** Neither page may scroll sideways at the desktop width. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }))
  expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px window`).toBeLessThanOrEqual(
    innerWidth,
  )
}

/** `yyyy-mm-ddThh:mm` (UTC) of a unix time, as a datetime-local input takes it. */
const inputTime = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 16)

test.describe('costs, as a manager would', () => {
  test.describe.configure({ mode: 'serial' })
  test.skip(({ isMobile }) => isMobile, 'chain activity and labels are made once, on desktop')

  test('setup: four services pay each other through three channels, redeemed on chain', async ({
    request,
  }) => {
    test.setTimeout(180_000)
    for (const r of ROLES)
      await testClient.setBalance({ address: accounts[r].address, value: parseEther('10') })
    const factory = await factoryAddress(request)
    const chainId = await chain.getChainId()
    const wallets = Object.fromEntries(
      await Promise.all(ROLES.map(async (r) => [r, await walletFor(accounts[r])] as const)),
    ) as Record<Role, Awaited<ReturnType<typeof walletFor>>>

    const mined = async (hash: Hex) => {
      const receipt = await chain.waitForTransactionReceipt({ hash, pollingInterval: 50 })
      expect(receipt.status, hash).toBe('success')
      return receipt
    }

    // Opens: three different consumers, so in parallel.
    await Promise.all(
      plan.map(async (c) => {
        const hash = await wallets[c.consumer].writeContract({
          address: factory,
          abi: intermediaryFactoryAbi,
          functionName: 'open',
          args: [accounts[c.provider].address, c.price, REDEMPTION_TIMEOUT, TERMINATION_TIMEOUT],
          value: c.deposit,
        })
        const [opened] = parseEventLogs({
          abi: intermediaryFactoryAbi,
          logs: (await mined(hash)).logs,
          eventName: 'ChannelOpened',
        })
        if (!opened) throw new Error(`no ChannelOpened for ${c.key}`)
        made.channels[c.key] = opened.args.channel.toLowerCase() as Address
      }),
    )

    // Each provider starts redeeming token 1 (token 2 becomes active); charlie's two one by one.
    const byProvider = (r: Role) => plan.filter((c) => c.provider === r)
    const eachProvider = (task: (c: (typeof plan)[number]) => Promise<unknown>) =>
      Promise.all(
        (['charlie', 'dave'] as const).map(async (p) => {
          for (const c of byProvider(p)) await task(c)
        }),
      )
    await eachProvider(async (c) => {
      const hash = await wallets[c.provider].writeContract({
        address: made.channels[c.key],
        abi: intermediaryAbi,
        functionName: 'startRedemption',
        args: [2n],
      })
      await mined(hash)
    })
    await advanceTime(Number(REDEMPTION_TIMEOUT) + 1)
    const times: number[] = []
    await eachProvider(async (c) => {
      const token = signTokenNative({
        privateKey: keys[c.consumer],
        chainId,
        channel: made.channels[c.key],
        tokenId: 1n,
        requests: c.requests,
      })
      const hash = await wallets[c.provider].writeContract({
        address: made.channels[c.key],
        abi: intermediaryAbi,
        functionName: 'redeem',
        args: [c.requests, token.signature],
      })
      const receipt = await mined(hash)
      const block = await chain.getBlock({ blockNumber: receipt.blockNumber })
      times.push(Number(block.timestamp))
    })
    made.firstRedemptionAt = Math.min(...times)

    // The indexer has all three redemptions…
    await expect
      .poll(
        async () => {
          const g = await graphAll(request)
          return plan.map((c) => edgeOf(g, c)?.settled ?? null)
        },
        { message: 'the three redemptions are indexed', timeout: 60_000, intervals: [500] },
      )
      .toEqual(plan.map((c) => SETTLED[c.key].toString()))
    // …and they are final (12 blocks deep), so no figure moves while the pages are compared.
    await testClient.mine({ blocks: 12 })
    await expect
      .poll(
        async () => {
          const g = await graphAll(request)
          return plan.map((c) => edgeOf(g, c)?.unconfirmed ?? null)
        },
        { message: 'the redemptions are final', timeout: 60_000, intervals: [500] },
      )
      .toEqual(['0', '0', '0'])
  })

  test('labels: three through the API, dave signed in the UI; a wallet that is no admin is refused', async ({
    page,
    request,
  }) => {
    for (const r of ['alice', 'bob', 'charlie'] as const) {
      const res = await request.post('/api/services/labels', {
        headers: { authorization: `Bearer ${adminKey()}` },
        data: { address: addr(r), name: nameOf(r), team: teamOf[r], version: 0 },
      })
      expect(res.status(), await res.text()).toBe(200)
      expect((await res.json()).label).toMatchObject({
        address: addr(r),
        name: nameOf(r),
        team: teamOf[r],
        version: 1,
        source: 'edit',
        updatedBy: null,
      })
    }

    const labels = async () =>
      (await getJson<{ labels: { address: string }[] }>(request, '/api/services/labels')).labels
    const before = await labels()
    expect(before.find((l) => l.address === addr('dave'))).toBeUndefined()

    const wallet = await injectWallet(page, { privateKey: strangerKey, rpcUrl: anvilUrl })
    await page.goto('/services')
    await page.getByTestId('wallet-connect').click()
    await page.locator('[data-testid="wallet-connector"][data-name="E2E Wallet"]').click()
    await expect(page.getByTestId('wallet-account')).toHaveAttribute(
      'data-address',
      wallet.address.toLowerCase(),
    )

    const form = page.getByTestId('label-form')
    await form.getByTestId('label-address').fill(accounts.dave.address)
    await form.getByTestId('label-name').fill(nameOf('dave'))
    await form.getByTestId('label-team').fill(teamOf.dave)
    await form.getByTestId('label-save').click()
    await expect(form.getByTestId('label-error')).toHaveText(
      'The edit is not signed by a label admin (LABEL_ADMINS): connect an admin wallet.',
    )
    expect(wallet.requests.filter((r) => r.method === 'eth_signTypedData_v4')).toHaveLength(1)
    await expect(page).toHaveURL(/\/services$/)
    expect(await labels()).toEqual(before)

    // The manager switches to the label admin's account and signs again.
    await wallet.switchAccount(labelAdminKey)
    const admin = privateKeyToAccount(labelAdminKey).address.toLowerCase()
    await expect(page.getByTestId('wallet-account')).toHaveAttribute('data-address', admin)
    await form.getByTestId('label-save').click()
    await expect(page).toHaveURL(new RegExp(`/services/${nameOf('dave')}$`), { timeout: 20_000 })
    await expect(page.getByTestId('service-name')).toContainText(nameOf('dave'))
    await expect(page.getByTestId('service-team')).toHaveText(teamOf.dave)
    const dave = (await labels()).find((l) => l.address === addr('dave'))
    expect(dave).toMatchObject({
      name: nameOf('dave'),
      team: teamOf.dave,
      version: 1,
      source: 'edit',
      updatedBy: admin,
    })
  })

  test('the cost graph and the tables over the whole history', async ({ page }) => {
    await page.goto('/')
    await page.getByTestId('nav-costs').click()
    await expect(page).toHaveURL(/\/costs$/)
    await page.getByTestId('window-all').click()
    await expect(page).toHaveURL(/\/costs\?(.+&)?window=all(&|$)/)
    await expect(page.getByTestId('window-all')).toHaveAttribute('aria-current', 'page')

    for (const r of ROLES) await expect(node(page, r), r).toHaveCount(1)
    for (const c of plan) {
      await expect(edge(page, c), c.key).toHaveAttribute('data-settled', SETTLED[c.key].toString())
      await expect(edge(page, c), c.key).toHaveAttribute('data-pending', '0')
    }

    // By service (the default grouping).
    await expect(page.getByTestId('group-service')).toHaveAttribute('aria-current', 'page')
    const services = await renderedTable(page)
    const want = expectedServices()
    for (const r of ROLES) {
      const row = services.find((cells) => asRecord(cells).address === addr(r))
      expect(row, `a row for ${r}`).toBeDefined()
      expect(row?.map((c) => c.col)).toEqual(SERVICE_COLUMNS)
      expect(asRecord(row as Cells), r).toEqual(want[r])
    }

    // By pair: the three pairs with their requests and settled amounts.
    await page.getByTestId('group-pair').click()
    await expect(page).toHaveURL(/groupBy=pair/)
    await expect(page).toHaveURL(/window=all/)
    await expect(page.getByTestId('group-pair')).toHaveAttribute('aria-current', 'page')
    const pairs = await renderedTable(page)
    for (const p of expectedPairs()) {
      const row = pairs.find((cells) => {
        const r = asRecord(cells)
        return r.consumer === p.consumer && r.provider === p.provider
      })
      expect(row, `a row for ${p.consumer} → ${p.provider}`).toBeDefined()
      expect(row?.map((c) => c.col)).toEqual(PAIR_COLUMNS)
      expect(asRecord(row as Cells)).toEqual(p)
    }
  })

  test('the CSV export equals the table, cell by cell', async ({ page }) => {
    const cases = [
      {
        groupBy: 'service',
        key: (r: Record<string, string>) => r.address,
        ours: ROLES.map(addr) as string[],
      },
      {
        groupBy: 'pair',
        key: (r: Record<string, string>) => `${r.consumer}>${r.provider}`,
        ours: plan.map((c) => `${nameOf(c.consumer)}>${nameOf(c.provider)}`),
      },
    ]
    for (const { groupBy, key, ours } of cases) {
      await page.goto(`/costs?window=all&groupBy=${groupBy}`)
      const table = await renderedTable(page)
      const href = await page.getByTestId('csv-link').getAttribute('href')
      expect(href).toContain('window=all')
      expect(href).toContain(`groupBy=${groupBy}`)
      const res = await page.request.get(href as string)
      expect(res.status(), await res.text()).toBe(200)
      expect(res.headers()['content-type']).toContain('text/csv')
      const [header, ...rows] = parseCsv(await res.text())
      const columns = table[0]?.map((c) => c.col)
      expect(header, `${groupBy}: the CSV header is the table's column keys`).toEqual(columns)
      const csvRecords = rows.map((cells) => Object.fromEntries((header ?? []).map((h, i) => [h, cells[i]])))
      for (const k of ours) {
        const tableRow = table.find((cells) => key(asRecord(cells)) === k)
        const csvRow = rows.find((_, i) => key(csvRecords[i] as Record<string, string>) === k)
        expect(tableRow, `${groupBy} ${k} in the table`).toBeDefined()
        expect(csvRow, `${groupBy} ${k} in the CSV`).toBeDefined()
        expect(csvRow, `${groupBy} ${k}`).toEqual(tableRow?.map((c) => c.value))
      }
    }
  })

  test('a custom window that ends before the payments shows none of them', async ({ page, request }) => {
    await page.goto('/costs?window=all')
    for (const r of ROLES) await expect(node(page, r)).toHaveCount(1)
    // A whole minute before the first redemption, one day long.
    const to = Math.floor(made.firstRedemptionAt / 60) * 60 - 60
    const from = to - 86_400
    const custom = page.getByTestId('window-custom')
    await custom.locator('input[name="from"]').fill(inputTime(from))
    await custom.locator('input[name="to"]').fill(inputTime(to))
    await custom.getByRole('button', { name: 'Apply' }).click()
    await expect(page).toHaveURL(/[?&]to=/)
    const url = new URL(page.url())
    expect(url.searchParams.get('from')).toBe(inputTime(from))
    expect(url.searchParams.get('to')).toBe(inputTime(to))
    expect(url.searchParams.get('window')).toBeNull()
    const utc = (s: number) => new Date(s * 1000).toISOString().replace('T', ' ').replace('.000Z', ' UTC')
    await expect(page.getByTestId('as-of')).toHaveText(
      new RegExp(`^Custom window: ${utc(from)} to ${utc(to)}`.replace(/[.+]/g, '\\$&')),
    )
    for (const r of ROLES) await expect(node(page, r), r).toHaveCount(0)
    for (const c of plan) await expect(edge(page, c), c.key).toHaveCount(0)
    const rows = (await renderedTable(page)).map(asRecord)
    for (const r of ROLES) expect(rows.find((row) => row.address === addr(r))).toBeUndefined()
    // The page's total is the API's for the same window.
    const api = await getJson<CostGraph>(
      request,
      `/api/costs/graph?from=${inputTime(from)}&to=${inputTime(to)}`,
    )
    await expect(wei(page.getByTestId('total-settled'))).toHaveAttribute('data-wei', api.totals.settled)

    await page.getByTestId('window-all').click()
    await expect(page).toHaveURL(/window=all/)
    expect(new URL(page.url()).searchParams.get('from')).toBeNull()
    for (const r of ROLES) await expect(node(page, r), r).toHaveCount(1)
  })

  test('service pages: paid, earned, fully loaded cost, channels and runway', async ({ page }) => {
    await page.goto('/costs?window=all')
    await node(page, 'alice').locator('circle').click()
    await expect(page).toHaveURL(new RegExp(`/services/${nameOf('alice')}\\?window=all$`))
    await expect(page.getByTestId('service-name')).toContainText(nameOf('alice'))
    await expect(page.getByTestId('service-team')).toHaveText(teamOf.alice)
    await expect(wei(page.getByTestId('service-paid'))).toHaveAttribute('data-wei', gwei(300).toString())
    await expect(page.getByTestId('service-paid')).toHaveText('300 gwei')
    await expect(wei(page.getByTestId('service-earned'))).toHaveAttribute('data-wei', '0')
    await expect(wei(page.getByTestId('service-net'))).toHaveAttribute('data-wei', (-gwei(300)).toString())
    // Fully loaded: alice's own 300 gwei, plus her share of what charlie pays dave: she sends 30
    // of charlie's 40 requests (bob the other 10), so 3/4 × 100 gwei = 75 gwei; dave pays
    // nobody. 300 + 75 = 375 gwei.
    await expect(wei(page.getByTestId('service-loaded'))).toHaveAttribute('data-wei', gwei(375).toString())
    await expect(wei(page.getByTestId('loaded-total'))).toHaveAttribute('data-wei', gwei(375).toString())
    const parts = page.getByTestId('loaded-part')
    await expect(parts).toHaveCount(1)
    const charliePart = page.locator(`[data-testid="loaded-part"][data-service="${nameOf('charlie')}"]`)
    await expect(charliePart.locator('td[data-share]')).toHaveAttribute('data-share', '3/4')
    await expect(charliePart.locator('td[data-share]')).toHaveText('75 %')
    // Charlie's own spend (100 gwei) and the part alice carries (75 gwei).
    await expect(charliePart.locator('[data-wei]').nth(0)).toHaveAttribute('data-wei', gwei(100).toString())
    await expect(charliePart.locator('[data-wei]').nth(1)).toHaveAttribute('data-wei', gwei(75).toString())

    // Bob: 100 gwei own + 1/4 × 100 gwei = 125 gwei.
    await page.goto(`/services/${nameOf('bob')}?window=all`)
    await expect(wei(page.getByTestId('service-paid'))).toHaveAttribute('data-wei', gwei(100).toString())
    await expect(wei(page.getByTestId('service-loaded'))).toHaveAttribute('data-wei', gwei(125).toString())
    await expect(wei(page.getByTestId('loaded-total'))).toHaveAttribute('data-wei', gwei(125).toString())
    await expect(
      page.locator(`[data-testid="loaded-part"][data-service="${nameOf('charlie')}"] td[data-share]`),
    ).toHaveAttribute('data-share', '1/4')

    // Charlie, from bob's loaded-cost table.
    await page.locator(`[data-testid="loaded-part"][data-service="${nameOf('charlie')}"] a`).click()
    await expect(page).toHaveURL(new RegExp(`/services/${nameOf('charlie')}\\?window=all$`))
    await expect(wei(page.getByTestId('service-earned'))).toHaveAttribute('data-wei', gwei(400).toString())
    await expect(wei(page.getByTestId('service-paid'))).toHaveAttribute('data-wei', gwei(100).toString())
    await expect(wei(page.getByTestId('service-net'))).toHaveAttribute('data-wei', gwei(300).toString())
    // Dave pays nobody, so charlie's loaded cost is its own spend.
    await expect(wei(page.getByTestId('service-loaded'))).toHaveAttribute('data-wei', gwei(100).toString())
    await expect(page.getByTestId('loaded-part')).toHaveCount(0)
    const channels = page.getByTestId('service-channel')
    await expect(channels).toHaveCount(3)
    const toDave = page.locator(`[data-testid="service-channel"][data-address="${made.channels.cd}"]`)
    const cells = toDave.locator('td')
    await expect(cells.nth(1)).toHaveText('pays')
    await expect(cells.nth(2)).toHaveText(nameOf('dave'))
    await expect(wei(cells.nth(3))).toHaveAttribute('data-wei', gwei(5).toString())
    const left = parseEther('0.002') - gwei(100)
    await expect(wei(cells.nth(4))).toHaveAttribute('data-wei', left.toString())
    await expect(wei(cells.nth(5))).toHaveAttribute('data-wei', '0')
    // Spend per hour: the channel is younger than an hour of chain time, so the 100 gwei spent
    // count over one hour; runway = (0.002 ETH − 100 gwei) ÷ 100 gwei per hour = 19,999 h.
    await expect(wei(cells.nth(6))).toHaveAttribute('data-wei', gwei(100).toString())
    const runway = toDave.getByTestId('runway')
    await expect(runway).toHaveAttribute('data-seconds', String(19_999 * 3_600))
    await expect(runway).toHaveText('833 d 7 h')
    for (const key of ['ac', 'bc'] as const) {
      await expect(
        page.locator(`[data-testid="service-channel"][data-address="${made.channels[key]}"] td`).nth(1),
      ).toHaveText('is paid')
    }
  })

  test("an arrow of the graph opens its channel's page", async ({ page }) => {
    await page.goto('/costs?window=all')
    const ac = plan[0]
    await expect(edge(page, ac)).toHaveAttribute('href', `/channels/${made.channels.ac}`)
    await edge(page, ac).locator('text.edge-label').click()
    await expect(page).toHaveURL(new RegExp(`/channels/${made.channels.ac}$`))
    await expect(page.getByTestId('channel-address')).toHaveText(made.channels.ac)
    await expect(page.getByTestId('channel-price')).toHaveAttribute('data-wei', gwei(10).toString())
    await expect(page.getByTestId('channel-provider-funds')).toHaveAttribute('data-wei', gwei(300).toString())
    await expect(page.getByTestId('channel-consumer-funds')).toHaveAttribute(
      'data-wei',
      (ac.deposit - gwei(300)).toString(),
    )
    await expect(page.getByTestId('channel-consumer')).toContainText(nameOf('alice'))
    await expect(page.getByTestId('channel-provider')).toContainText(nameOf('charlie'))
  })

  test('screenshots; neither page scrolls sideways', async ({ page }, info) => {
    await page.goto('/costs?window=all')
    await expect(node(page, 'alice')).toHaveCount(1)
    await expectNoSidewaysScroll(page)
    await screenshot(page, info, 'costs')
    await page.goto(`/services/${nameOf('charlie')}?window=all`)
    await expect(wei(page.getByTestId('service-earned'))).toHaveAttribute('data-wei', gwei(400).toString())
    await expectNoSidewaysScroll(page)
    await screenshot(page, info, 'service')
  })
})
