'use client'

import { useState } from 'react'
import { parseAmount } from '@/lib/admin/amounts'
import type { BudgetEdit } from '@/lib/budgets/api'
import { BUDGET_PERIODS, type BudgetPeriod, type BudgetScope } from '@/lib/budgets/api'
import { LABEL_NAME_HINT, LABEL_NAME_RULE, LABEL_TEAM_HINT, LABEL_TEAM_RULE } from '@/lib/services/labels'
import { AmountInput, type AmountValue } from '../admin/AmountInput'
import { EditForm } from './EditForm'
import { SelectField, TextField } from './Field'
import type { EditOutcome } from './useAdminEdit'

/** Sets a team's or a service's budget for a month or a week (same scope, target and period: replaced). */
export function BudgetForm({
  save,
  busy,
}: {
  save: (edit: BudgetEdit) => Promise<EditOutcome>
  busy: boolean
}) {
  const [scope, setScope] = useState<BudgetScope>('team')
  const [target, setTarget] = useState('')
  const [period, setPeriod] = useState<BudgetPeriod>('month')
  const [amount, setAmount] = useState<AmountValue>({ text: '', unit: 'ETH' })
  const build = () => {
    const rule = scope === 'team' ? LABEL_TEAM_RULE : LABEL_NAME_RULE
    if (!rule.test(target))
      return {
        problem: `${scope === 'team' ? 'Team' : 'Service'}: ${scope === 'team' ? LABEL_TEAM_HINT : LABEL_NAME_HINT}.`,
      }
    const wei = parseAmount(amount.text, amount.unit)
    if (!wei.ok) return { problem: `Amount: ${wei.reason}` }
    if (wei.value <= 0n) return { problem: 'Amount: a budget is more than 0.' }
    return {
      edit: { action: 'setBudget' as const, scope, target, period, amount: wei.value.toString() },
      done: `Saved: ${scope} ${target}, ${amount.text} ${amount.unit} a ${period}.`,
    }
  }
  return (
    <EditForm testId="budget-form" build={build} save={save} busy={busy} submitLabel="Set budget">
      <SelectField
        label="For"
        value={scope}
        options={[
          ['team', 'a team'],
          ['service', 'a service'],
        ]}
        onChange={setScope}
        testId="budget-scope"
      />
      <TextField
        label={scope === 'team' ? 'Team' : 'Service'}
        value={target}
        onChange={setTarget}
        placeholder={scope === 'team' ? 'team-a' : 'payments-api'}
        testId="budget-target"
      />
      <SelectField
        label="Per"
        value={period}
        options={BUDGET_PERIODS.map(
          (p) => [p, p === 'month' ? 'month (UTC)' : 'week (from Monday, UTC)'] as const,
        )}
        onChange={setPeriod}
        testId="budget-period"
      />
      <AmountInput id="budget-amount" label="Budget" value={amount} onChange={setAmount} testId="budget" />
    </EditForm>
  )
}
