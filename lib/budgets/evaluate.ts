import { chooseUnit, formatAmount } from '../units'
import type { RuleSpec } from './api'
import { percentOf } from './period'

/**
 * The alert rules' decisions, pure: given what was read (a budget's spend and forecast, a
 * service's channels' runway, pairs' spend in two windows), which crossings fire. A crossing's
 * key names what crossed, so one crossing alerts once (alert_delivery's unique key) however
 * often and by however many instances it is decided. Client-safe.
 */

/** One alert: what a webhook receives (its JSON body) and the history shows. */
export type Alert = {
  rule: string
  kind: RuleSpec['kind']
  crossing: string
  summary: string
  details: Record<string, string | number | null>
}

/** Amounts in one unit, the one that reads best for the largest (exact wei are in `details`). */
const inOneUnit = (...amounts: bigint[]) => {
  const unit = chooseUnit(amounts)
  return (wei: bigint) => formatAmount({ wei, unit })
}

/** What a budget rule needs read: the budget, its period and what was spent so far. */
export type BudgetReading = {
  budget: { id: number; scope: string; target: string; period: string; amount: bigint }
  periodKey: string
  spent: bigint
  forecast: bigint
  /** Whether enough of the period has passed for the forecast to alert (period.ts forecastAlertsFrom). */
  forecastReady: boolean
}

/**
 * A budget threshold: fires once the spend (or the forecast, by `basis`) reaches
 * `thresholdPercent` of the budget (the forecast only once `forecastReady`). The crossing is the period, basis, threshold and amount:
 * next period alerts again, and so does a raised budget crossed again.
 */
export function budgetCrossing(
  rule: { name: string; spec: Extract<RuleSpec, { kind: 'budget' }> },
  reading: BudgetReading,
): Alert | null {
  const { thresholdPercent, basis } = rule.spec
  const { budget } = reading
  if (basis === 'forecast' && !reading.forecastReady) return null
  const value = basis === 'spend' ? reading.spent : reading.forecast
  if (value * 100n < budget.amount * BigInt(thresholdPercent)) return null
  const what = `${budget.scope} ${budget.target}`
  const verb = basis === 'spend' ? 'has spent' : 'is forecast to spend'
  const eth = inOneUnit(value, budget.amount)
  return {
    rule: rule.name,
    kind: 'budget',
    crossing: `budget ${budget.id} ${reading.periodKey} ${basis} ${thresholdPercent}% of ${budget.amount}`,
    summary: `${what} ${verb} ${percentOf(value, budget.amount)} % of its ${budget.period}ly budget (${eth(value)} of ${eth(budget.amount)}, ${reading.periodKey}); threshold ${thresholdPercent} %.`,
    details: {
      scope: budget.scope,
      target: budget.target,
      period: reading.periodKey,
      basis,
      thresholdPercent,
      budget: budget.amount.toString(),
      spent: reading.spent.toString(),
      forecast: reading.forecast.toString(),
    },
  }
}

/** A channel as the runway rule sees it (lib/costs/api ServiceChannel's fields it needs). */
export type RunwayChannel = {
  address: string
  role: 'consumer' | 'provider'
  runwaySeconds: number | null
  terminated: boolean
  consumerFunds: string
}

/** A service's channels (as consumer, open) whose funds run out sooner than `runwaySeconds` at the recent rate. */
export function shortChannels(spec: Extract<RuleSpec, { kind: 'runway' }>, channels: RunwayChannel[]) {
  return channels.filter(
    (c) =>
      c.role === 'consumer' &&
      !c.terminated &&
      c.runwaySeconds !== null &&
      c.runwaySeconds < spec.runwaySeconds,
  )
}

/**
 * The short channels' alerts ({@link shortChannels}), one per episode: `since(address)` is when
 * the channel's current shortage began (ISO), so the crossing stays the same while it lasts and
 * is new once the runway was back above the threshold (or the channel refunded) and fell again.
 */
export function runwayCrossings(
  rule: { name: string; spec: Extract<RuleSpec, { kind: 'runway' }> },
  channels: RunwayChannel[],
  since: (address: string) => string,
): Alert[] {
  return shortChannels(rule.spec, channels).map((c) => {
    const hours = Math.floor((c.runwaySeconds as number) / 360) / 10
    return {
      rule: rule.name,
      kind: 'runway' as const,
      crossing: `runway ${c.address} since ${since(c.address)}`,
      summary: `${rule.spec.service}'s channel ${c.address} runs out in about ${hours} h at the recent rate (under ${rule.spec.runwaySeconds / 3_600} h).`,
      details: {
        service: rule.spec.service,
        channel: c.address,
        runwaySeconds: Math.floor(c.runwaySeconds as number),
        thresholdSeconds: rule.spec.runwaySeconds,
        consumerFunds: c.consumerFunds,
      },
    }
  })
}

/** A pair's settled spend in a window and in the window as long before it. */
export type PairSpend = {
  consumer: string
  provider: string
  consumerName: string | null
  providerName: string | null
  current: bigint
  previous: bigint
}

/** Most pairs one spike alert lists (the largest spends first). */
export const SPIKE_MAX_PAIRS = 10

/** A pair's key: `consumer>provider`. */
export const pairKey = (p: { consumer: string; provider: string }) => `${p.consumer}>${p.provider}`

/**
 * Pairs whose spend jumped: at least `minAmount` in the window and at least `factorPercent` %
 * of the window before (a pair that paid nothing before counts once it pays `minAmount`, and
 * more than 0), leaving out the pairs in `recent` (alerted within one window length). One alert
 * per rule and evaluation (`at`, the evaluation's time) listing at most {@link SPIKE_MAX_PAIRS},
 * largest first; null when no pair jumped.
 */
export function spikeCrossing(
  rule: { name: string; spec: Extract<RuleSpec, { kind: 'spike' }> },
  pairs: PairSpend[],
  { at, recent }: { at: string; recent: ReadonlySet<string> },
): Alert | null {
  const min = BigInt(rule.spec.minAmount)
  const factor = BigInt(rule.spec.factorPercent)
  const w = rule.spec.window
  const jumped = pairs
    .filter((p) => p.current > 0n && p.current >= min && p.current * 100n >= p.previous * factor)
    .filter((p) => !recent.has(pairKey(p)))
    .sort((a, b) => (a.current === b.current ? 0 : a.current > b.current ? -1 : 1))
  const listed = jumped.slice(0, SPIKE_MAX_PAIRS)
  const top = listed[0]
  if (!top) return null
  const sentence = (p: PairSpend) => {
    const eth = inOneUnit(p.current, p.previous)
    const before =
      p.previous === 0n
        ? `after nothing in the ${w} before`
        : `${Number((p.current * 100n) / p.previous) / 100}× the ${eth(p.previous)} of the ${w} before`
    return `${p.consumerName ?? p.consumer} → ${p.providerName ?? p.provider} paid ${eth(p.current)} in the last ${w}, ${before}.`
  }
  const more = jumped.length - listed.length
  return {
    rule: rule.name,
    kind: 'spike',
    crossing: `spike ${w} ${at}`,
    summary:
      listed.length === 1
        ? sentence(top)
        : `${jumped.length} pairs' spend jumped: ${listed.map(sentence).join(' ')}${more > 0 ? ` And ${more} more.` : ''}`,
    details: {
      window: w,
      factorPercent: rule.spec.factorPercent,
      pairs: jumped.length,
      listed: listed.map(pairKey).join(','),
      consumer: top.consumer,
      provider: top.provider,
      current: top.current.toString(),
      previous: top.previous.toString(),
    },
  }
}
