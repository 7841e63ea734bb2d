import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryV2Abi } from '../contracts/generated'
import { getPaymentServer } from '../lib/server/payment/instance'
import type { LoadPricingSettings } from './loadPricing'
import { submissionCategories, submissionCategory } from './network'
import { type ListedChannel, listChannels, paymentApi } from './paymentApi'
import { type Credentials, startExampleServers } from './services'
import { type ExampleBed, runRunnerUntil, startExampleBed } from './testing'
import { submission } from './traffic'

/*
 * The example network's pricing (issue 29, point 6) on anvil and Postgres through the app's API:
 * public pays validation by the submission's size on a version 2 channel, and validation moves
 * its next price table with its load; the runner announces it on chain.
 */

let bed: ExampleBed
let credentials: Credentials
let time = 0
const GWEI = 1_000_000_000n
const settings: LoadPricingSettings = {
  windowSeconds: 30,
  raiseAbove: 1,
  lowerBelow: 0.5,
  stepPercent: 50,
  maxPercent: 200,
}

beforeAll(async () => {
  bed = await startExampleBed()
  ;({ credentials } = await bed.start())
  bed.servers = await startExampleServers({
    paymentUrl: bed.api.url,
    credentials,
    loadPricing: settings,
    log: bed.log,
    now: () => time,
  })
})
afterAll(() => bed?.stop())

const api = () => paymentApi(bed.api.url)
const key = (name: string) => credentials[name]?.apiKey as string

/** The channel from `consumer` to `provider` as the provider sees it. */
async function channel(consumer: string, provider: string): Promise<ListedChannel> {
  const found = (await listChannels(api(), key(provider))).find(
    (c) => c.consumer.service === consumer && c.provider.service === provider,
  )
  if (!found) throw new Error(`no channel ${consumer} → ${provider}`)
  return found
}

/** A version 2 channel's accepted counts per category, summed over its token IDs. */
const acceptedPerCategory = (c: ListedChannel) =>
  (c.v2?.accepted ?? []).reduce(
    (sums, a) => sums.map((s, i) => s + BigInt(a.requests[i] ?? 0)),
    (c.v2?.categories ?? []).map(() => 0n),
  )

/** POSTs `body` to public's `/submit`: the status and the answer. */
async function submit(body: unknown) {
  const response = await fetch(`${bed.servers?.urls.public}/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const sizeOf = (body: unknown) => submissionCategory(Buffer.byteLength(JSON.stringify(body)))
const base = submissionCategories.map((c) => c.price)
const times = (percent: bigint) => base.map((p) => ((p * percent) / 100n).toString())

describe('example network: prices by category', () => {
  it('submission() makes small, large and invalid submissions', () => {
    const made = Array.from({ length: 20 }, (_, i) => submission(i + 1))
    expect(made.filter((s) => sizeOf(s) === 'small')).toHaveLength(15)
    expect(made.filter((s) => sizeOf(s) === 'large')).toHaveLength(5)
    expect(made.filter((s) => s.name === '')).toHaveLength(2)
  })

  it('opens public → validation as a version 2 channel (small, large), and the traffic pays both categories', async () => {
    expect(bed.lines).toContain(
      `opened channel public → validation at ${(await channel('public', 'validation')).address} (version 2: small 10 gwei, large 40 gwei)`,
    )
    const made = Array.from({ length: 8 }, (_, i) => submission(i + 1))
    for (const body of made) expect(await submit(body)).toMatchObject({ status: 200, body: { ok: true } })

    const validation = await channel('public', 'validation')
    expect(validation.v2).toMatchObject({
      categories: ['small', 'large'],
      prices: base.map(String),
      pendingPrices: null,
    })
    expect(acceptedPerCategory(validation)).toEqual([6n, 2n])
    // persistence stays a version 1 channel: both versions side by side.
    expect((await channel('public', 'persistence')).v2).toBeNull()
  })

  it('validation charges the category of what it received: a large submission paid as small is refused, changing nothing', async () => {
    const before = acceptedPerCategory(await channel('public', 'validation'))
    const issued = await api()<{ tokens: string[] }>('/tokens', key('public'), {
      provider: 'validation',
      category: 'small',
    })
    expect(issued.status).toBe(200)
    const token = issued.body.tokens[0] as string
    const validate = (body: unknown) =>
      fetch(`${bed.servers?.urls.validation}/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'payment-token': token },
        body: JSON.stringify(body),
      })
    const large = await validate(submission(4))
    expect(large.status).toBe(402)
    expect((await large.json()).error.message).toMatch(/\w+ .*\./)
    expect(acceptedPerCategory(await channel('public', 'validation'))).toEqual(before)
    // The same token pays for what it was bought for.
    expect((await validate(submission(1))).status).toBe(200)
    expect(acceptedPerCategory(await channel('public', 'validation'))).toEqual([
      (before[0] as bigint) + 1n,
      before[1],
    ])
  })

  it('raises the next prices under load up to the bound, the runner announces them, and lowers them as the load falls', async () => {
    const pricing = bed.servers?.pricing
    if (!pricing) throw new Error('no load pricing')
    const address = (await channel('public', 'validation')).address as Address
    const pending = async () => (await channel('public', 'validation')).v2?.pendingPrices
    const load = async (requests: number, seconds: number) => {
      for (let n = 1; n <= requests; n++) expect((await submit(submission(n))).status).toBe(200)
      time += seconds * 1000
      return pricing.evaluate()
    }

    // A quiet window: the base stays, nothing is set.
    expect(await load(0, 100)).toMatchObject({ percent: 100, set: [] })
    // Load: 6 accepted requests in 2 s is 3/s, above 1/s: a step up, then the bound holds.
    expect(await load(6, 2)).toMatchObject({ rate: 3, percent: 150 })
    expect(await pending()).toEqual(times(150n))
    expect(await load(6, 2)).toMatchObject({ percent: 200 })
    expect(await load(6, 2)).toMatchObject({ percent: 200, set: [] })
    expect(await pending()).toEqual(times(200n))
    expect(bed.lines).toContain(
      'validation: 3.00 accepted requests/s over the last window (above 1): next prices small 20 gwei, large 80 gwei (200 % of base, at most 200 %), from the next redemption on',
    )

    // The runner's next redemption start announces the table for the next token ID.
    const server = await getPaymentServer()
    server.settings.redeemValue = 1n
    await runRunnerUntil(bed, async () => (await pending()) === null)
    const announced = await bed.testbed.publicClient.getContractEvents({
      address,
      abi: intermediaryV2Abi,
      eventName: 'PricesAnnounced',
      fromBlock: 0n,
    })
    expect(announced.map(({ args }) => [args.fromTokenId, args.prices])).toEqual([
      [1n, base],
      [2n, [20n * GWEI, 80n * GWEI]],
    ])
    server.settings.redeemValue = 10n ** 18n

    // public pays the raised prices on the new ID (within its maxPrice: the bound).
    expect((await submit(submission(4))).status).toBe(200)
    const raised = (await channel('public', 'validation')).v2
    expect(raised?.prices).toEqual(times(200n))
    expect(raised?.accepted.find((a) => a.tokenId === '2')).toMatchObject({ requests: ['0', '1'] })

    // The load falls: a step down per quiet window, to the base (announced at the next start).
    expect(await load(0, 100)).toMatchObject({ percent: 150 })
    expect(await pending()).toEqual(times(150n))
    expect(bed.lines).toContain("validation: public's channel now pays small 20 gwei, large 80 gwei")
    expect(await load(0, 100)).toMatchObject({ percent: 100 })
    expect(await pending()).toEqual(times(100n))
    expect(await load(0, 100)).toMatchObject({ percent: 100, set: [] })
    expect(bed.lines.filter((l) => l.includes('below 0.5'))).toHaveLength(2)
  })
})

describe('example network: charlie traces its calls to dave by origin', () => {
  it("pays each call to dave in the category of the consumer who paid charlie for it: dave's counts are alice's and bob's deep calls", async () => {
    const dave = await channel('charlie', 'dave')
    expect(bed.lines).toContain(
      `opened channel charlie → dave at ${dave.address} (version 2 by origin: alice 30 gwei, bob 30 gwei)`,
    )
    expect(dave.v2?.categories).toEqual(['alice', 'bob'])
    const run = async (caller: string, deep: boolean) => {
      const response = await fetch(`${bed.servers?.urls[caller]}/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: 7, deep }),
      })
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ deep })
    }
    for (const [caller, deep] of [
      ['alice', true],
      ['bob', false],
      ['alice', true],
      ['bob', true],
      ['alice', false],
      ['bob', false],
      ['alice', true],
    ] as const)
      await run(caller, deep)
    // Every call to dave was paid in the category of its origin: alice's 3, bob's 1.
    expect(bed.servers?.paidByCategory.dave).toEqual([3, 1])
    expect(bed.servers?.served).toMatchObject({ charlie: 7, dave: 4 })
    // The channel's maximum accepted token counts exactly them, category by category: at this
    // load the issuer holds no count ahead (issuerV2 extraFor rounds down), so no request is
    // recorded that was not made.
    expect(acceptedPerCategory(await channel('charlie', 'dave'))).toEqual([3n, 1n])
  })
})
