import type { RuleSpec } from '../../budgets/api'
import {
  type Alert,
  budgetCrossing,
  type PairSpend,
  runwayCrossings,
  shortChannels,
  spikeCrossing,
} from '../../budgets/evaluate'
import { isoTime, parseWindow, previousWindow } from '../../costs/window'
import { isAppError } from '../../errors'
import { errorText } from '../../errorText'
import type { ServerContext } from '../context'
import { costGraph, serviceCosts } from '../costs'
import type { Logger } from '../log'
import { budgetStatuses } from './status'
import { ruleSpecOf } from './store'

/**
 * One evaluation of every alert rule: reads what the rules need (budgets' spend, a service's
 * channels, pairs' spend in two windows), decides the crossings (lib/budgets/evaluate.ts, pure)
 * and inserts one `alert_delivery` row per new crossing. The insert is the exactly-once: the
 * row's unique (rule, crossing) makes a second insert of the same crossing, by this instance
 * later or by another at the same moment, insert nothing.
 */

type Rule = { id: number; name: string; webhookId: number; spec: RuleSpec }

/** What {@link evaluateAlerts} decided: every crossing now, and the ones that were new. */
export type Evaluation = { crossings: Alert[]; inserted: Alert[] }

/** Pairs' settled spend in `window` and in the window as long before it. */
async function pairSpends(
  ctx: ServerContext,
  window: string,
): Promise<{ pairs: PairSpend[]; at: string; lengthSeconds: number }> {
  const current = await costGraph(ctx, { window })
  const now = Math.floor(Date.parse(current.asOf.time) / 1000)
  const span = parseWindow({ window }, now)
  const before = previousWindow(span)
  const previous = before
    ? await costGraph(ctx, { from: isoTime(before.from), to: isoTime(before.to) })
    : null
  const names = new Map(current.nodes.map((n) => [n.address, n.name]))
  const pairs = new Map<string, PairSpend>()
  const pairOf = (consumer: string, provider: string) => {
    const key = `${consumer}>${provider}`
    let pair = pairs.get(key)
    if (!pair) {
      pair = {
        consumer,
        provider,
        consumerName: names.get(consumer) ?? null,
        providerName: names.get(provider) ?? null,
        current: 0n,
        previous: 0n,
      }
      pairs.set(key, pair)
    }
    return pair
  }
  for (const e of current.edges) pairOf(e.consumer, e.provider).current += BigInt(e.settled)
  for (const e of previous?.edges ?? []) pairOf(e.consumer, e.provider).previous += BigInt(e.settled)
  return { pairs: [...pairs.values()], at: current.asOf.time, lengthSeconds: span.to - span.from }
}

/**
 * A runway rule's episodes (alert_subject): one begins for each channel short now that had none
 * (since now), those of channels no longer short end; returns when each open one began, as
 * stored, so two instances deciding at once key the episode alike.
 */
async function runwayEpisodes(
  ctx: ServerContext,
  ruleId: number,
  short: Array<{ address: string }>,
): Promise<Map<string, string>> {
  const addresses = short.map((c) => c.address)
  await ctx.db.$executeRaw`
    INSERT INTO alert_subject (rule_id, subject, since)
    SELECT ${ruleId}, a, now() FROM unnest(${addresses}::text[]) AS a
    ON CONFLICT (rule_id, subject) DO NOTHING`
  await ctx.db.$executeRaw`
    DELETE FROM alert_subject WHERE rule_id = ${ruleId} AND NOT (subject = ANY(${addresses}::text[]))`
  const rows = await ctx.db.alertSubject.findMany({ where: { ruleId } })
  return new Map(rows.map((r) => [r.subject, r.since.toISOString()]))
}

/** The pairs a spike rule alerted about within the last `seconds` (alert_subject), not to repeat. */
async function recentPairs(ctx: ServerContext, ruleId: number, seconds: number): Promise<Set<string>> {
  const rows = await ctx.db.$queryRaw<Array<{ subject: string }>>`
    SELECT subject FROM alert_subject
    WHERE rule_id = ${ruleId} AND since > now() - make_interval(secs => ${seconds})`
  return new Set(rows.map((r) => r.subject))
}

/** Records that a spike rule alerted about `pairs` now. */
async function alertedPairs(ctx: ServerContext, ruleId: number, pairs: string[]): Promise<void> {
  await ctx.db.$executeRaw`
    INSERT INTO alert_subject (rule_id, subject, since)
    SELECT ${ruleId}, p, now() FROM unnest(${pairs}::text[]) AS p
    ON CONFLICT (rule_id, subject) DO UPDATE SET since = now()`
}

/** The crossings of every rule now; a rule whose read fails is logged and skipped. */
async function crossingsOf(
  ctx: ServerContext,
  rules: Rule[],
  log: Logger,
): Promise<Array<{ rule: Rule; alert: Alert }>> {
  const found: Array<{ rule: Rule; alert: Alert }> = []
  const budgets = rules.some((r) => r.spec.kind === 'budget') ? await budgetStatuses(ctx) : null
  const spikes = new Map<string, Awaited<ReturnType<typeof pairSpends>>>()
  for (const rule of rules) {
    try {
      const { spec } = rule
      if (spec.kind === 'budget') {
        const status = budgets?.budgets.find((b) => b.id === spec.budgetId)
        if (!status) continue
        const alert = budgetCrossing(
          { name: rule.name, spec },
          {
            budget: { ...status, amount: BigInt(status.amount) },
            periodKey: status.periodKey,
            spent: BigInt(status.spent),
            forecast: BigInt(status.forecast),
            forecastReady: Date.parse(status.forecastAlertsFrom) <= (budgets?.asOf ?? 0) * 1000,
          },
        )
        if (alert) found.push({ rule, alert })
      } else if (spec.kind === 'runway') {
        const costs = await serviceCosts(ctx, spec.service, { window: '24h' })
        const since = await runwayEpisodes(ctx, rule.id, shortChannels(spec, costs.channels))
        for (const alert of runwayCrossings(
          { name: rule.name, spec },
          costs.channels,
          (a) => since.get(a) as string,
        ))
          found.push({ rule, alert })
      } else {
        const read = spikes.get(spec.window) ?? (await pairSpends(ctx, spec.window))
        spikes.set(spec.window, read)
        const recent = await recentPairs(ctx, rule.id, read.lengthSeconds)
        const alert = spikeCrossing({ name: rule.name, spec }, read.pairs, { at: read.at, recent })
        if (alert) {
          found.push({ rule, alert })
          await alertedPairs(ctx, rule.id, String(alert.details.listed).split(','))
        }
      }
    } catch (error) {
      // An unknown service or nothing indexed yet is the rule's state, not a failure of the round.
      const say = isAppError(error) ? log.info : log.warn
      say.call(log, `alerts: rule ${rule.name} not evaluated: ${errorText(error)}`)
    }
  }
  return found
}

/** Evaluates every rule and inserts a delivery for each crossing not alerted yet. */
export async function evaluateAlerts({ ctx, log }: { ctx: ServerContext; log: Logger }): Promise<Evaluation> {
  const rows = await ctx.db.alertRule.findMany({ orderBy: { id: 'asc' } })
  if (rows.length === 0) return { crossings: [], inserted: [] }
  const rules = rows.map((r) => ({ id: r.id, name: r.name, webhookId: r.webhookId, spec: ruleSpecOf(r) }))
  const found = await crossingsOf(ctx, rules, log)
  const inserted: Alert[] = []
  for (const { rule, alert } of found) {
    const count = await ctx.db.$executeRaw`
      INSERT INTO alert_delivery (rule_id, rule_name, webhook_id, crossing, summary, alert)
      VALUES (${rule.id}, ${rule.name}, ${rule.webhookId}, ${alert.crossing}, ${alert.summary}, ${JSON.stringify(alert)}::jsonb)
      ON CONFLICT (rule_id, crossing) DO NOTHING`
    if (count > 0) inserted.push(alert)
  }
  return { crossings: found.map((f) => f.alert), inserted }
}
