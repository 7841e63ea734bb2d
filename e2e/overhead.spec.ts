import { randomBytes } from 'node:crypto'
import { type APIRequestContext, expect, test } from '@playwright/test'
import { type Abi, type Address, type Hex, keccak256, parseEther, parseEventLogs, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { intermediaryAbi, intermediaryFactoryAbi } from '../contracts/generated'
import { type CostOverhead, OVERHEAD_ACTIONS } from '../lib/costs/overhead'
import { signTokenNative } from '../lib/server/tokenCrypto'
import { adminKey, factoryAddress, getJson, waitForIndexed } from './kit/api'
import { advanceTime, chain, testClient, walletFor } from './kit/chain'
import { parseCsv } from './kit/costsPages'

/**
 * What the payment system costs, as a manager checks it: a consumer and a provider of two
 * teams of their own (fresh keys per run and project) open a channel, fund it, redeem 25
 * requests, withdraw and terminate it, each with real transactions on the stack's anvil. In a
 * window around them, the overhead API's fees per team equal the receipts' (gasUsed ×
 * effectiveGasPrice), and the /costs page's overhead section and the CSV by team show the API's
 * figures; a bad window is a 400. The section is photographed at the project's width.
 */

const run = randomBytes(4).toString('hex')
const PRICE = 1_000_000_000n
const REQUESTS = 25n

type Made = {
  from: number
  to: number
  fees: Record<'consumer' | 'provider', bigint>
  teams: Record<'consumer' | 'provider', string>
  /** The provider's service name (its label). */
  provider: string
}

/** The chain activity (see above); returns the window that holds it and each party's fees from the receipts. */
async function payAndClose(request: APIRequestContext, project: string): Promise<Made> {
  const keyOf = (role: string) =>
    keccak256(stringToHex(`channel-inspector e2e overhead ${role} ${project} ${run}`))
  const consumerKey = keyOf('consumer')
  const consumer = privateKeyToAccount(consumerKey)
  const provider = privateKeyToAccount(keyOf('provider'))
  const teams = { consumer: `ovh-a-${run}`, provider: `ovh-b-${run}` }
  const nameOf = (role: string) => `ovh-${role}-${project}-${run}`
  for (const [role, account] of [
    ['consumer', consumer],
    ['provider', provider],
  ] as const) {
    await testClient.setBalance({ address: account.address, value: parseEther('10') })
    const res = await request.post('/api/services/labels', {
      headers: { authorization: `Bearer ${adminKey()}` },
      data: {
        address: account.address.toLowerCase(),
        name: nameOf(role),
        team: teams[role],
        version: 0,
      },
    })
    expect(res.status(), await res.text()).toBe(200)
  }
  const factory = await factoryAddress(request)
  const fees = { consumer: 0n, provider: 0n }
  // One second before the first transaction's block: the window starts there.
  await advanceTime(1)
  const from = Number((await chain.getBlock()).timestamp) + 1
  await advanceTime(1)
  const send = async (
    who: 'consumer' | 'provider',
    address: Address,
    abi: Abi,
    functionName: string,
    args: unknown[] = [],
    value?: bigint,
  ) => {
    const wallet = await walletFor(who === 'consumer' ? consumer : provider)
    const hash: Hex = await wallet.writeContract({ address, abi, functionName, args, value } as never)
    const receipt = await chain.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    expect(receipt.status, `${who} ${functionName}`).toBe('success')
    fees[who] += receipt.gasUsed * receipt.effectiveGasPrice
    return receipt
  }
  const opened = await send(
    'consumer',
    factory,
    intermediaryFactoryAbi,
    'open',
    [provider.address, PRICE, 60n, 600n],
    parseEther('0.001'),
  )
  const [log] = parseEventLogs({ abi: intermediaryFactoryAbi, logs: opened.logs, eventName: 'ChannelOpened' })
  if (!log) throw new Error('no ChannelOpened')
  const channel = log.args.channel
  await send('consumer', channel, intermediaryAbi, 'deposit', [], parseEther('0.001'))
  await send('provider', channel, intermediaryAbi, 'startRedemption', [2n])
  await advanceTime(61)
  const token = signTokenNative({
    privateKey: consumerKey,
    chainId: await chain.getChainId(),
    channel,
    tokenId: 1n,
    requests: REQUESTS,
  })
  await send('provider', channel, intermediaryAbi, 'redeem', [REQUESTS, token.signature])
  await send('provider', channel, intermediaryAbi, 'withdraw')
  await send('provider', channel, intermediaryAbi, 'terminate')
  const last = await send('consumer', channel, intermediaryAbi, 'withdraw')
  const to = Number((await chain.getBlock({ blockNumber: last.blockNumber })).timestamp) + 1
  // Blocks from now on are later than the window's end, so its figures no longer change.
  await advanceTime(2)
  await waitForIndexed(request, await chain.getBlockNumber())
  return { from, to, fees, teams, provider: nameOf('provider') }
}

test.describe('what the payment system costs', () => {
  test.describe.configure({ mode: 'serial' })
  let made: Made
  let query: string
  let api: CostOverhead

  test('the API: each team’s gas equals its receipts’ fees, to the wei', async ({ request }, info) => {
    test.setTimeout(120_000)
    made = await payAndClose(request, info.project.name)
    query = `from=${made.from}&to=${made.to}`
    api = await getJson<CostOverhead>(request, `/api/costs/overhead?${query}`)
    for (const side of ['consumer', 'provider'] as const) {
      const team = api.teams.find((t) => t.team === made.teams[side])
      expect(team?.total, side).toBe(made.fees[side].toString())
      // The 25 requests at 1 gwei, moved by both sides' channel.
      expect(team?.settled).toBe((REQUESTS * PRICE).toString())
    }
    const consumer = api.teams.find((t) => t.team === made.teams.consumer)
    expect(BigInt(consumer?.fees.open ?? '0')).toBeGreaterThan(0n)
    expect(BigInt(consumer?.fees.fund ?? '0')).toBeGreaterThan(0n)
    const provider = api.teams.find((t) => t.team === made.teams.provider)
    for (const a of ['redeem', 'withdraw', 'terminate'] as const)
      expect(BigInt(provider?.fees[a] ?? '0')).toBeGreaterThan(0n)
    const bad = await request.get('/api/costs/overhead?window=fortnight')
    expect(bad.status()).toBe(400)
    expect((await bad.json()).error.code).toBe('invalid_window')
  })

  test('the page’s section and the CSV show the API’s figures', async ({ page, request }, info) => {
    await page.goto(`/costs?${query}&groupBy=team`)
    const section = page.getByTestId('overhead-section')
    await expect(section).toBeVisible()
    await expect(section.getByTestId('overhead-total').first()).toHaveAttribute('data-wei', api.totals.total)
    const [header, ...rows] = parseCsv(
      await (await request.get(`/api/costs/report.csv?${query}&groupBy=team`)).text(),
    )
    const csv = rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])))
    for (const side of ['consumer', 'provider'] as const) {
      const team = api.teams.find((t) => t.team === made.teams[side])
      if (!team) throw new Error(`no team ${made.teams[side]}`)
      const expected = {
        ...Object.fromEntries(OVERHEAD_ACTIONS.map((a) => [`gas_${a}_wei`, team.fees[a]])),
        gas_total_wei: team.total,
        moved_wei: team.settled,
        overhead_ratio: team.ratio === null ? '' : String(team.ratio),
      }
      const row = section.getByTestId('overhead-teams-row').and(page.locator(`[data-key="${team.team}"]`))
      for (const [col, value] of Object.entries(expected))
        await expect(row.locator(`[data-col="${col}"]`), `${side} ${col}`).toHaveAttribute(
          'data-value',
          value,
        )
      expect(
        csv.find((r) => r.team === team.team),
        `${side} in the CSV`,
      ).toMatchObject(expected)
      // The cost table's own overhead columns say the same.
      const tableRow = page
        .getByTestId('cost-table-row')
        .filter({ has: page.locator(`[data-col="team"][data-value="${team.team}"]`) })
      await expect(tableRow.locator('[data-col="gas_total_wei"]')).toHaveAttribute('data-value', team.total)
    }
    // A team opens to its services.
    const details = section.locator(`[data-testid="overhead-team"][data-team="${made.teams.provider}"]`)
    await details.locator('summary').click()
    await expect(details.getByTestId('overhead-services-row')).toHaveCount(1)
    await section.scrollIntoViewIfNeeded()
    const file = info.outputPath(`${info.project.name}-overhead-section.png`)
    await section.screenshot({ path: file })
    await info.attach(`${info.project.name}-overhead-section`, { path: file, contentType: 'image/png' })
  })

  test('the provider’s service page shows the gas it paid, as the API has it', async ({ page }, info) => {
    const service = api.teams.find((t) => t.team === made.teams.provider)?.services[0]
    if (!service) throw new Error('no provider service')
    await page.goto(`/services/${made.provider}?${query}`)
    const section = page.getByTestId('service-overhead')
    const paid = section.getByTestId('service-overhead-paid-row')
    await expect(paid.locator('[data-col="gas_total_wei"]')).toHaveAttribute('data-value', service.total)
    await expect(paid.locator('[data-col="gas_redeem_wei"]')).toHaveAttribute(
      'data-value',
      service.fees.redeem,
    )
    // Its one channel's gas: both parties' transactions.
    const channel = api.channels.find((c) => c.provider === service.address)
    await expect(
      section.getByTestId('service-overhead-channels-row').locator('[data-col="gas_total_wei"]'),
    ).toHaveAttribute('data-value', channel?.total ?? 'none')
    const file = info.outputPath(`${info.project.name}-service-overhead.png`)
    await section.screenshot({ path: file })
    await info.attach(`${info.project.name}-service-overhead`, { path: file, contentType: 'image/png' })
  })
})
