'use client'

import { useState } from 'react'
import { parseAmount } from '@/lib/admin/amounts'
import {
  alertNameSchema,
  type BudgetEdit,
  type BudgetStatus,
  type RuleSpec,
  SPIKE_WINDOWS,
  type SpikeWindow,
  type WebhookView,
} from '@/lib/budgets/api'
import { LABEL_NAME_HINT, LABEL_NAME_RULE } from '@/lib/services/labels'
import { AmountInput, type AmountValue } from '../admin/AmountInput'
import { EditForm } from './EditForm'
import { SelectField, TextField } from './Field'
import type { EditOutcome } from './useAdminEdit'

type Kind = RuleSpec['kind']

/** A whole number from `min` to `max` typed in a field, or null. */
const whole = (text: string, min: number, max: number) => {
  const n = Number(text)
  return /^\d+$/.test(text.trim()) && n >= min && n <= max ? n : null
}

/**
 * Adds or replaces an alert rule: a budget threshold (spend or forecast), a service's channel
 * runway under a time, or a pair's spend jumping by a factor against the window before.
 */
export function RuleForm({
  budgets,
  webhooks,
  save,
  busy,
}: {
  budgets: BudgetStatus[]
  webhooks: WebhookView[]
  save: (edit: BudgetEdit) => Promise<EditOutcome>
  busy: boolean
}) {
  const [name, setName] = useState('')
  const [webhook, setWebhook] = useState(webhooks[0]?.name ?? '')
  const [kind, setKind] = useState<Kind>('budget')
  const [budgetId, setBudgetId] = useState(String(budgets[0]?.id ?? ''))
  const [threshold, setThreshold] = useState('80')
  const [basis, setBasis] = useState<'spend' | 'forecast'>('spend')
  const [service, setService] = useState('')
  const [hours, setHours] = useState('24')
  const [window, setWindow] = useState<SpikeWindow>('24h')
  const [factor, setFactor] = useState('200')
  const [min, setMin] = useState<AmountValue>({ text: '0', unit: 'ETH' })

  const spec = (): RuleSpec | string => {
    if (kind === 'budget') {
      const percent = whole(threshold, 1, 1_000)
      if (!budgetId) return 'Set a budget first.'
      if (percent === null) return 'Threshold: a whole percentage from 1 to 1000.'
      return { kind, budgetId: Number(budgetId), thresholdPercent: percent, basis }
    }
    if (kind === 'runway') {
      const h = whole(hours, 1, 90 * 24)
      if (!LABEL_NAME_RULE.test(service)) return `Service: ${LABEL_NAME_HINT}.`
      if (h === null) return 'Runway: whole hours from 1 to 2160.'
      return { kind, service, runwaySeconds: h * 3_600 }
    }
    const f = whole(factor, 101, 100_000)
    const wei = parseAmount(min.text, min.unit)
    if (f === null) return 'Factor: a whole percentage from 101 (e.g. 200 for twice).'
    if (!wei.ok) return `Least amount: ${wei.reason}`
    return { kind, window, factorPercent: f, minAmount: wei.value.toString() }
  }
  const build = () => {
    const named = alertNameSchema.safeParse(name)
    if (!named.success) return { problem: named.error.issues[0]?.message ?? 'Name: not valid.' }
    if (!webhook) return { problem: 'Add a webhook first: alerts need somewhere to go.' }
    const rule = spec()
    if (typeof rule === 'string') return { problem: rule }
    return { edit: { action: 'setRule' as const, name, webhook, rule }, done: `Saved rule ${name}.` }
  }
  return (
    <EditForm testId="rule-form" build={build} save={save} busy={busy} submitLabel="Save rule">
      <TextField label="Name" value={name} onChange={setName} placeholder="team-a-80" testId="rule-name" />
      <SelectField
        label="Send to"
        value={webhook}
        options={webhooks.map((w) => [w.name, w.name] as const)}
        onChange={setWebhook}
        testId="rule-webhook"
      />
      <SelectField
        label="When"
        value={kind}
        options={[
          ['budget', 'budget threshold'],
          ['runway', 'runway under'],
          ['spike', 'spend jumps'],
        ]}
        onChange={setKind}
        testId="rule-kind"
      />
      {kind === 'budget' && (
        <>
          <SelectField
            label="Budget"
            value={budgetId}
            options={budgets.map((b) => [String(b.id), `${b.scope} ${b.target} / ${b.period}`] as const)}
            onChange={setBudgetId}
            testId="rule-budget"
          />
          <TextField label="At %" value={threshold} onChange={setThreshold} testId="rule-threshold" />
          <SelectField
            label="Of"
            value={basis}
            options={[
              ['spend', 'spend so far'],
              ['forecast', 'forecast'],
            ]}
            onChange={setBasis}
            testId="rule-basis"
          />
        </>
      )}
      {kind === 'runway' && (
        <>
          <TextField
            label="Service"
            value={service}
            onChange={setService}
            placeholder="payments-api"
            testId="rule-service"
          />
          <TextField label="Under (hours)" value={hours} onChange={setHours} testId="rule-hours" />
        </>
      )}
      {kind === 'spike' && (
        <>
          <SelectField
            label="Window"
            value={window}
            options={SPIKE_WINDOWS.map((w) => [w, `last ${w}`] as const)}
            onChange={setWindow}
            testId="rule-window"
          />
          <TextField label="Factor %" value={factor} onChange={setFactor} testId="rule-factor" />
          <AmountInput id="rule-min" label="Least amount" value={min} onChange={setMin} testId="rule-min" />
        </>
      )}
    </EditForm>
  )
}
