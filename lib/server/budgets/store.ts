import { type Hex, hashTypedData } from 'viem'
import type { BudgetEdit, BudgetEditBody, RuleSpec, RuleView, WebhookView } from '../../budgets/api'
import { budgetEditTypedData } from '../../budgets/edit'
import { maskUrl } from '../../budgets/webhookBody'
import { BadRequestError, ConflictError, NotFoundError } from '../../errors'
import type { ServerContext } from '../context'
import { env } from '../env'
import { authorizeAdminEdit } from '../services'
import { requireSafeWebhookUrl } from './webhookAddress'

/**
 * The budgets, webhooks and alert rules in Postgres, and their one signed edit (authorised as
 * a service label's: an admin wallet's EIP-712 signature or the team admin key).
 */

type RuleRow = {
  id: number
  name: string
  kind: string
  webhook: { name: string }
  budgetId: number | null
  thresholdPercent: number | null
  basis: string | null
  service: string | null
  runwaySeconds: number | null
  spikeWindow: string | null
  factorPercent: number | null
  minAmount: { toFixed(): string } | null
}

/** A stored rule's spec (the columns of its kind). */
export function ruleSpecOf(r: Omit<RuleRow, 'id' | 'name' | 'webhook'>): RuleSpec {
  if (r.kind === 'budget')
    return {
      kind: 'budget',
      budgetId: r.budgetId as number,
      thresholdPercent: r.thresholdPercent as number,
      basis: r.basis === 'forecast' ? 'forecast' : 'spend',
    }
  if (r.kind === 'runway')
    return { kind: 'runway', service: r.service as string, runwaySeconds: r.runwaySeconds as number }
  return {
    kind: 'spike',
    window: r.spikeWindow as '1h' | '24h' | '7d',
    factorPercent: r.factorPercent as number,
    minAmount: r.minAmount?.toFixed() ?? '0',
  }
}

/** The rule's columns for a spec (the other kinds' columns null). */
function ruleColumns(spec: RuleSpec) {
  return {
    kind: spec.kind,
    budgetId: spec.kind === 'budget' ? spec.budgetId : null,
    thresholdPercent: spec.kind === 'budget' ? spec.thresholdPercent : null,
    basis: spec.kind === 'budget' ? spec.basis : null,
    service: spec.kind === 'runway' ? spec.service : null,
    runwaySeconds: spec.kind === 'runway' ? spec.runwaySeconds : null,
    spikeWindow: spec.kind === 'spike' ? spec.window : null,
    factorPercent: spec.kind === 'spike' ? spec.factorPercent : null,
    minAmount: spec.kind === 'spike' ? spec.minAmount : null,
  }
}

/** Every rule with its webhook's name, by name. */
export async function listRules(ctx: ServerContext): Promise<RuleView[]> {
  const rows = await ctx.db.alertRule.findMany({
    include: { webhook: { select: { name: true } } },
    orderBy: { name: 'asc' },
  })
  return rows.map((r) => ({ id: r.id, name: r.name, webhook: r.webhook.name, rule: ruleSpecOf(r) }))
}

/** Every webhook, its URL masked (it is a secret). */
export async function listWebhooks(ctx: ServerContext): Promise<WebhookView[]> {
  const rows = await ctx.db.alertWebhook.findMany({ orderBy: { name: 'asc' } })
  return rows.map((w) => ({
    id: w.id,
    name: w.name,
    kind: w.kind === 'slack' ? 'slack' : 'json',
    url: maskUrl(w.url),
  }))
}

const notFound = (what: string, name: string | number) =>
  new NotFoundError({
    code: 'unknown_alert_item',
    message: `There is no ${what} ${JSON.stringify(String(name))}.`,
  })

/**
 * 409 `in_use` while rules refer to the budget or webhook about to be removed: removing it
 * would delete them with it (the foreign keys cascade), silently.
 */
async function refusedWhileUsed(
  ctx: ServerContext,
  where: { budgetId: number } | { webhook: { name: string } },
  what: string,
): Promise<void> {
  const rules = await ctx.db.alertRule.findMany({ where, select: { name: true }, orderBy: { name: 'asc' } })
  if (rules.length > 0)
    throw new ConflictError({
      code: 'in_use',
      message: `The ${what} is used by the rule${rules.length > 1 ? 's' : ''} ${rules.map((r) => JSON.stringify(r.name)).join(', ')}; remove or change ${rules.length > 1 ? 'them' : 'it'} first.`,
    })
}

/** Applies one authorised edit; returns what it names (a budget's, webhook's or rule's id). */
async function applyEdit(
  ctx: ServerContext,
  edit: BudgetEdit,
  updatedBy: string | null,
): Promise<{ id: number }> {
  const db = ctx.db
  switch (edit.action) {
    case 'setBudget': {
      const key = { scope: edit.scope, target: edit.target, period: edit.period }
      const data = { amount: edit.amount, updatedBy, updatedAt: new Date() }
      const saved = await db.budget.upsert({
        where: { scope_target_period: key },
        create: { ...key, ...data },
        update: data,
      })
      return { id: saved.id }
    }
    case 'removeBudget': {
      await refusedWhileUsed(ctx, { budgetId: edit.id }, `budget ${edit.id}`)
      const { count } = await db.budget.deleteMany({ where: { id: edit.id } })
      if (count === 0) throw notFound('budget', edit.id)
      return { id: edit.id }
    }
    case 'setWebhook': {
      const data = { kind: edit.kind, url: edit.url, updatedBy }
      const saved = await db.alertWebhook.upsert({
        where: { name: edit.name },
        create: { name: edit.name, ...data },
        update: data,
      })
      return { id: saved.id }
    }
    case 'removeWebhook': {
      await refusedWhileUsed(ctx, { webhook: { name: edit.name } }, `webhook ${JSON.stringify(edit.name)}`)
      const gone = await db.alertWebhook.deleteMany({ where: { name: edit.name } })
      if (gone.count === 0) throw notFound('webhook', edit.name)
      return { id: 0 }
    }
    case 'setRule': {
      const webhook = await db.alertWebhook.findUnique({
        where: { name: edit.webhook },
        select: { id: true },
      })
      if (!webhook) throw notFound('webhook', edit.webhook)
      if (edit.rule.kind === 'budget' && !(await db.budget.findUnique({ where: { id: edit.rule.budgetId } })))
        throw notFound('budget', edit.rule.budgetId)
      const data = { ...ruleColumns(edit.rule), webhookId: webhook.id, updatedBy }
      const saved = await db.alertRule.upsert({
        where: { name: edit.name },
        create: { name: edit.name, ...data },
        update: data,
      })
      return { id: saved.id }
    }
    case 'removeRule': {
      const gone = await db.alertRule.deleteMany({ where: { name: edit.name } })
      if (gone.count === 0) throw notFound('rule', edit.name)
      return { id: 0 }
    }
  }
}

/** secp256k1's order halved: an s above it is the other, malleable twin of a signature. */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

/**
 * Refuses a signature in any but the one encoding wallets produce (EIP-2: s in the lower half;
 * v 27 or 28): a re-encoded twin recovers the same signer, so it must not pass as another.
 */
export function requireCanonicalSignature(signature: string): void {
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130, 132), 16)
  if (s > HALF_N || (v !== 27 && v !== 28))
    throw new BadRequestError({
      code: 'non_canonical_signature',
      message: 'The signature is not in its canonical form (v 27 or 28, low s); sign the edit again.',
    })
}

/**
 * POST /api/budgets/edits: authorises the edit (see authorizeAdminEdit), records a signed
 * edit's digest once (409 `signature_used` on a replay, 400 `non_canonical_signature` for a re-encoded one) and applies it in one transaction,
 * so a refusal changes nothing.
 */
export async function saveBudgetEdit({
  ctx,
  request,
  body,
  nowSeconds = BigInt(Math.floor(Date.now() / 1000)),
  allowPrivateWebhooks = env().ALERTS_ALLOW_PRIVATE_WEBHOOKS,
}: {
  ctx: ServerContext
  request: Request
  body: BudgetEditBody
  nowSeconds?: bigint
  /** Whether a webhook may name an internal address (see requireSafeWebhookUrl). */
  allowPrivateWebhooks?: boolean
}): Promise<{ action: BudgetEdit['action']; id: number; by: string | null }> {
  if (body.signature) requireCanonicalSignature(body.signature)
  // What was signed, whatever the signature's encoding: the replay key.
  let digest: Hex | null = null
  const by = await authorizeAdminEdit({
    ctx,
    request,
    signature: body.signature,
    expiresAt: body.expiresAt,
    nowSeconds,
    typedData: ({ chainId, factory, expiresAt }) => {
      const typedData = budgetEditTypedData({ chainId, factory, edit: body.edit, expiresAt })
      digest = hashTypedData(typedData)
      return typedData
    },
  })
  if (body.edit.action === 'setWebhook') requireSafeWebhookUrl(body.edit.url, allowPrivateWebhooks)
  const saved = await ctx.db
    .$transaction(async (tx) => {
      const scoped: ServerContext = { ...ctx, db: tx as unknown as ServerContext['db'] }
      if (digest && by) {
        const used = await tx.$executeRaw`
        INSERT INTO budget_edit (digest, signer, action) VALUES (${digest}, ${by}, ${body.edit.action})
        ON CONFLICT (digest) DO NOTHING`
        if (used === 0)
          throw new ConflictError({
            code: 'signature_used',
            message: 'This signed edit was applied already; sign a new one.',
          })
      }
      return applyEdit(scoped, body.edit, by)
    })
    .catch((error: unknown) => {
      // Two edits creating the same name at the same moment: the second is told, not a 500.
      if ((error as { code?: string }).code === 'P2002')
        throw new ConflictError({
          code: 'edit_conflict',
          message: 'The same item was created at the same moment; reload and try again.',
        })
      throw error
    })
  return { action: body.edit.action, id: saved.id, by }
}
