import { z } from 'zod'
import { adminSignatureFields } from '../services/api'
import { LABEL_NAME_HINT, LABEL_NAME_RULE, labelNameSchema, labelTeamSchema } from '../services/labels'

/**
 * The budgets and alerts API (`/api/budgets/*`): bodies and answers as zod schemas, giving the
 * pages, the edit form and the OpenAPI document their types. Client-safe.
 */

const UINT256_LIMIT = 2n ** 256n
const WEI_DIGITS = /^[0-9]{1,78}$/

/** A positive wei amount as a decimal string below 2^256. */
export const weiAmountSchema = z
  .string()
  .regex(WEI_DIGITS, 'must be a whole number of wei as a decimal string')
  // zod runs a refinement after a failed regex too: BigInt() only sees digits.
  .refine((v) => !WEI_DIGITS.test(v) || BigInt(v) < UINT256_LIMIT, 'must be below 2^256 wei')
  .meta({ description: 'wei, decimal string' })

const positiveWei = weiAmountSchema.refine(
  (v) => !WEI_DIGITS.test(v) || BigInt(v) > 0n,
  'must be more than 0 wei',
)
const wei = (description: string) => z.string().meta({ description: `${description} (wei, decimal string)` })

/** Names of webhooks and rules: as service names (lowercase, digits, dashes). */
export const alertNameSchema = z.string().regex(LABEL_NAME_RULE, `name: ${LABEL_NAME_HINT}`)

export const BUDGET_SCOPES = ['team', 'service'] as const
export const BUDGET_PERIODS = ['month', 'week'] as const
export const WEBHOOK_KINDS = ['json', 'slack'] as const
/** Windows a spike rule compares with the window as long before it (lib/costs/window.ts presets). */
export const SPIKE_WINDOWS = ['1h', '24h', '7d'] as const
export type BudgetScope = (typeof BUDGET_SCOPES)[number]
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number]
export type WebhookKind = (typeof WEBHOOK_KINDS)[number]
export type SpikeWindow = (typeof SPIKE_WINDOWS)[number]

/** Longest webhook URL accepted (Slack's are about 80 characters). */
export const WEBHOOK_URL_MAX = 2_000

/** A webhook URL: http or https, no more than {@link WEBHOOK_URL_MAX} characters. */
export const webhookUrlSchema = z
  .string()
  .max(WEBHOOK_URL_MAX, `url: at most ${WEBHOOK_URL_MAX} characters`)
  // Printable ASCII only: the URL parser would silently drop a tab or a newline from what is
  // stored, and a host in another script is given in its punycode form.
  .regex(/^[\x21-\x7e]+$/, 'url: printable ASCII without spaces (punycode for other scripts)')
  .refine((v) => {
    try {
      const url = new URL(v)
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== ''
    } catch {
      return false
    }
  }, 'url: must be an http:// or https:// URL')

const budgetRuleSchema = z
  .object({
    kind: z.literal('budget'),
    budgetId: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1),
    thresholdPercent: z
      .number()
      .int()
      .min(1)
      .max(1_000)
      .meta({ description: '80: alert at 80 % of the budget' }),
    basis: z.enum(['spend', 'forecast']).meta({
      description: '`spend`: what was paid so far; `forecast`: the linear forecast to the period end',
    }),
  })
  .strict()
const runwayRuleSchema = z
  .object({
    kind: z.literal('runway'),
    service: labelNameSchema.meta({
      description: 'Service (label name) whose channels, as consumer, are watched',
    }),
    runwaySeconds: z
      .number()
      .int()
      .min(60)
      .max(90 * 86_400)
      .meta({ description: 'Alert when a channel runs out sooner than this (seconds)' }),
  })
  .strict()
const spikeRuleSchema = z
  .object({
    kind: z.literal('spike'),
    window: z.enum(SPIKE_WINDOWS),
    factorPercent: z.number().int().min(101).max(100_000).meta({
      description: '200: alert when a pair paid at least twice what it paid in the window before',
    }),
    minAmount: weiAmountSchema.meta({
      description: 'Ignore pairs that paid less than this in the window (wei)',
    }),
  })
  .strict()
/** What a rule watches, by kind. */
export const ruleSpecSchema = z.discriminatedUnion('kind', [
  budgetRuleSchema,
  runwayRuleSchema,
  spikeRuleSchema,
])
export type RuleSpec = z.infer<typeof ruleSpecSchema>

/** The edits, by action (without the signature's fields): what an admin signs. */
export const budgetEditSchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('setBudget'),
      scope: z.enum(BUDGET_SCOPES),
      target: z.string().meta({ description: "The team's name, or the service's label name" }),
      period: z.enum(BUDGET_PERIODS),
      amount: positiveWei,
    })
    .strict()
    .superRefine((v, c) => {
      const r = (v.scope === 'team' ? labelTeamSchema : labelNameSchema).safeParse(v.target)
      if (!r.success)
        c.addIssue({ code: 'custom', message: `target: ${r.error.issues[0]?.message}`, path: ['target'] })
    }),
  z
    .object({
      action: z.literal('removeBudget'),
      id: z
        .number()
        .int()
        .min(1)
        .max(2 ** 31 - 1),
    })
    .strict(),
  z
    .object({
      action: z.literal('setWebhook'),
      name: alertNameSchema,
      kind: z.enum(WEBHOOK_KINDS),
      url: webhookUrlSchema,
    })
    .strict(),
  z.object({ action: z.literal('removeWebhook'), name: alertNameSchema }).strict(),
  z
    .object({
      action: z.literal('setRule'),
      name: alertNameSchema,
      webhook: alertNameSchema,
      rule: ruleSpecSchema,
    })
    .strict(),
  z.object({ action: z.literal('removeRule'), name: alertNameSchema }).strict(),
])
export type BudgetEdit = z.infer<typeof budgetEditSchema>

/** Body of POST /api/budgets/edits: one edit, and the admin wallet's signature (or the admin key). */
export const budgetEditBody = z
  .object({
    edit: budgetEditSchema,
    ...adminSignatureFields('BudgetEdit'),
  })
  .strict()
  .meta({ id: 'BudgetEditRequest' })
export type BudgetEditBody = z.infer<typeof budgetEditBody>

/** A budget with what was spent against it this period. */
export const budgetStatusSchema = z
  .object({
    id: z.number().int(),
    scope: z.enum(BUDGET_SCOPES),
    target: z.string(),
    period: z.enum(BUDGET_PERIODS),
    amount: wei('The budget'),
    periodKey: z.string().meta({ description: '2026-12 for a month, 2026-W49 for an ISO week' }),
    from: z.string().meta({ description: 'Period start, ISO-8601 UTC' }),
    to: z.string().meta({ description: 'Period end (exclusive), ISO-8601 UTC' }),
    spent: wei('Settled this period so far'),
    forecast: wei('spent × period length ÷ time elapsed (linear), rounded down'),
    percentSpent: z.number().meta({ description: 'spent ÷ amount × 100, rounded down' }),
    percentForecast: z.number(),
    forecastAlertsFrom: z.string().meta({
      description: 'From when a forecast rule may alert: max(1 day, 10 %) into the period, ISO-8601 UTC',
    }),
    updatedBy: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'BudgetStatus' })
export type BudgetStatus = z.infer<typeof budgetStatusSchema>

export const webhookViewSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: z.enum(WEBHOOK_KINDS),
    url: z.string().meta({ description: 'Masked: scheme and host only' }),
  })
  .meta({ id: 'AlertWebhook' })
export type WebhookView = z.infer<typeof webhookViewSchema>

export const ruleViewSchema = z
  .object({ id: z.number().int(), name: z.string(), webhook: z.string(), rule: ruleSpecSchema })
  .meta({ id: 'AlertRule' })
export type RuleView = z.infer<typeof ruleViewSchema>

export const deliveryViewSchema = z
  .object({
    id: z.string(),
    rule: z.string(),
    crossing: z.string().meta({ description: 'What crossed: one alert per rule and crossing' }),
    summary: z.string(),
    status: z.enum(['pending', 'sending', 'sent', 'failed']),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .meta({ id: 'AlertDelivery' })
export type DeliveryView = z.infer<typeof deliveryViewSchema>

/** GET /api/budgets. */
export const budgetsAnswerSchema = z
  .object({
    asOf: z.string().meta({ description: "The chain's time the spend was read at (ISO-8601 UTC)" }),
    budgets: z.array(budgetStatusSchema),
    webhooks: z.array(webhookViewSchema),
    rules: z.array(ruleViewSchema),
  })
  .meta({ id: 'Budgets' })
export type BudgetsAnswer = z.infer<typeof budgetsAnswerSchema>
