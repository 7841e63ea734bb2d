import { formatGwei } from 'viem'
import { errorText } from '../lib/errorText'
import type { ExampleCategory } from './network'
import { type ListedChannel, listChannels, type PaymentApi } from './paymentApi'

/** How a provider prices under load: a window, two thresholds and the bounds of its steps. */
export type LoadPricingSettings = {
  /** Length of the window the accepted request rate is measured over. */
  windowSeconds: number
  /** Accepted requests per second above which the next table goes a step up. */
  raiseAbove: number
  /** Accepted requests per second below which it goes a step down (below raiseAbove: in between it holds). */
  lowerBelow: number
  /** One step, in percent of the base table. */
  stepPercent: number
  /** The bound: never more than this percent of the base table (at least 100). */
  maxPercent: number
}

/**
 * The percent of the base table after a window at `rate` requests/s: a step up above
 * `raiseAbove`, a step down below `lowerBelow`, held in between (so a rate near one threshold
 * does not flap), always within 100 % and `maxPercent`.
 */
export function nextPercent(percent: number, rate: number, settings: LoadPricingSettings): number {
  const { raiseAbove, lowerBelow, stepPercent, maxPercent } = settings
  if (rate > raiseAbove) return Math.min(Math.max(100, maxPercent), percent + stepPercent)
  if (rate < lowerBelow) return Math.max(100, percent - stepPercent)
  return percent
}

/** `base` at `percent` of it, in whole wei (rounded down). */
export const pricesAt = (base: readonly bigint[], percent: number): bigint[] =>
  base.map((price) => (price * BigInt(percent)) / 100n)

/** What one window's evaluation saw and did. */
export type LoadPricingStep = {
  /** Accepted requests per second over the window. */
  rate: number
  percent: number
  prices: bigint[]
  /** Channels whose pending table was set (a table) or withdrawn (null) now. */
  set: Array<{ channel: string; consumer: string | null; pendingPrices: bigint[] | null }>
}

/** A provider's load pricing: counts what it accepts and moves its channels' next table. */
export type LoadPricing = {
  /** Counts one request the provider accepted (paid and served). */
  accepted(): void
  /**
   * Closes the window: the rate since the last evaluation, the next percent, and every open
   * version 2 channel of the provider with these categories brought to it: its pending table
   * set through `PATCH /api/payment/channels/{address}/prices` (the runner announces it at
   * its next redemption start, `startRedemptionWithPrices`), or withdrawn when the active
   * table already is the one wanted.
   */
  evaluate(): Promise<LoadPricingStep>
  /** The percent of the base table and the table wanted now. */
  current(): { percent: number; prices: bigint[] }
  /** Evaluates every window until stop(); failures are logged at most once a minute. */
  start(): void
  stop(): void
}

const same = (a: readonly (bigint | string)[] | null, b: readonly (bigint | string)[] | null) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((v, i) => String(v) === String(b[i]))

const table = (categories: readonly ExampleCategory[], prices: readonly bigint[]) =>
  categories.map((c, i) => `${c.name} ${formatGwei(prices[i] ?? 0n)} gwei`).join(', ')

/**
 * The thesis's P2 (3.3, figure 10) for the provider `provider`: when the requests it accepted
 * in the last window came faster than `raiseAbove` per second, its next token ID costs a step
 * more (at most `maxPercent` of the base); when they fell below `lowerBelow`, a step less,
 * down to the base. A table applies from the token ID the next redemption start makes active,
 * so each consumer sees it before paying at it (and may decline: `maxPrice`). Every change
 * is logged, with the rate that caused it, and so is each table the chain made active.
 */
export function createLoadPricing({
  api,
  apiKey,
  provider,
  categories,
  settings,
  log,
  now = Date.now,
}: {
  api: PaymentApi
  /** The provider's API key. */
  apiKey: string
  /** The provider's service name. */
  provider: string
  /** The channels' categories and their base prices. */
  categories: readonly ExampleCategory[]
  settings: LoadPricingSettings
  log: (line: string) => void
  now?: () => number
}): LoadPricing {
  const base = categories.map((c) => c.price)
  const names = categories.map((c) => c.name)
  let percent = 100
  let count = 0
  let since = now()
  let timer: NodeJS.Timeout | undefined
  let reported = 0
  const active = new Map<string, string>()

  const priced = (c: ListedChannel) =>
    c.provider.service === provider &&
    c.v2 !== null &&
    same(c.v2.categories, names) &&
    (c.chain.phase === 'open' || c.chain.phase === 'redeeming')

  async function reconcile(wanted: bigint[]): Promise<LoadPricingStep['set']> {
    const set: LoadPricingStep['set'] = []
    for (const channel of (await listChannels(api, apiKey)).filter(priced)) {
      const v2 = channel.v2 as NonNullable<ListedChannel['v2']>
      const from = channel.consumer.service ?? channel.consumer.address
      // The table the chain made active since the last look (announced at a redemption start).
      const paying = v2.prices?.join(',') ?? ''
      if (active.has(channel.address) && active.get(channel.address) !== paying && v2.prices)
        log(`${provider}: ${from}'s channel now pays ${table(categories, v2.prices.map(BigInt))}`)
      active.set(channel.address, paying)
      const pending = same(wanted, v2.prices) ? null : wanted
      if (same(pending, v2.pendingPrices)) continue
      const answer = await api<{ error?: { code: string; message: string } }>(
        `/channels/${channel.address}/prices`,
        apiKey,
        { prices: pending?.map(String) ?? null },
        'PATCH',
      )
      // A channel retired by a chain reset (410) or closing meanwhile is no longer priced.
      if (answer.status === 410 || answer.status === 404) continue
      if (answer.status !== 200)
        throw new Error(`setting the prices of ${channel.address} failed: ${answer.body.error?.message}`)
      set.push({ channel: channel.address, consumer: channel.consumer.service, pendingPrices: pending })
    }
    return set
  }

  async function evaluate(): Promise<LoadPricingStep> {
    const at = now()
    const rate = count / Math.max((at - since) / 1000, 1e-3)
    count = 0
    since = at
    const before = percent
    percent = nextPercent(percent, rate, settings)
    const prices = pricesAt(base, percent)
    if (percent !== before)
      log(
        `${provider}: ${rate.toFixed(2)} accepted requests/s over the last window (${percent > before ? `above ${settings.raiseAbove}` : `below ${settings.lowerBelow}`}): next prices ${table(categories, prices)} (${percent} % of base, at most ${settings.maxPercent} %), from the next redemption on`,
      )
    return { rate, percent, prices, set: await reconcile(prices) }
  }

  return {
    accepted: () => {
      count++
    },
    evaluate,
    current: () => ({ percent, prices: pricesAt(base, percent) }),
    start() {
      timer ??= setInterval(() => {
        evaluate().catch((error: unknown) => {
          if (Date.now() - reported < 60_000) return
          reported = Date.now()
          log(`${provider}: pricing under load failed: ${errorText(error)}`)
        })
      }, settings.windowSeconds * 1000)
      timer.unref()
    },
    stop() {
      clearInterval(timer)
      timer = undefined
    },
  }
}
