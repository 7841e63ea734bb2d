'use client'
import '@/app/alerts/alerts.css'

import { useState } from 'react'
import type { BudgetsAnswer } from '@/lib/budgets/api'
import { describeRule } from '@/lib/budgets/describe'
import { BudgetForm } from './BudgetForm'
import { TextField } from './Field'
import { RuleForm } from './RuleForm'
import { useAdminEdit } from './useAdminEdit'
import { WebhookForm } from './WebhookForm'

/**
 * Budgets, webhooks and alert rules, edited by an admin: each edit signed by a label admin's
 * wallet (as service labels are), or sent with the team admin key when one is typed here.
 */
export function BudgetsAdmin({ budgets, webhooks, rules }: Omit<BudgetsAnswer, 'asOf'>) {
  const [adminKey, setAdminKey] = useState('')
  const { save, busy } = useAdminEdit(adminKey)
  const [problem, setProblem] = useState<string | null>(null)
  const remove = async (edit: Parameters<typeof save>[0]) => {
    const outcome = await save(edit)
    setProblem(outcome.ok ? null : outcome.problem)
  }
  return (
    <div className="budgets-admin" data-testid="budgets-admin">
      <p className="muted small">
        Each change is signed by a label admin's wallet (LABEL_ADMINS, connect it top right), or sent with the
        team admin key if you type it here. Nothing is sent on chain.
      </p>
      <div className="label-form">
        <TextField
          label="Admin key (optional)"
          value={adminKey}
          onChange={setAdminKey}
          type="password"
          testId="admin-key"
        />
      </div>
      <h3 className="budgets-subhead">Budget</h3>
      <BudgetForm save={save} busy={busy} />
      <h3 className="budgets-subhead">Webhooks</h3>
      <ul className="plain-list" data-testid="webhooks">
        {webhooks.map((w) => (
          <li key={w.id} data-testid="webhook">
            <strong>{w.name}</strong> · {w.kind === 'slack' ? 'Slack' : 'JSON'} ·{' '}
            <span className="mono break">{w.url}</span>{' '}
            <button
              type="button"
              className="link-button"
              disabled={busy}
              onClick={() => remove({ action: 'removeWebhook', name: w.name })}
            >
              remove
            </button>
          </li>
        ))}
      </ul>
      <WebhookForm save={save} busy={busy} />
      <h3 className="budgets-subhead">Alert rules</h3>
      <ul className="plain-list" data-testid="rules">
        {rules.map((r) => (
          <li key={r.id} data-testid="rule">
            <strong>{r.name}</strong>: {describeRule(r.rule, budgets)} → {r.webhook}{' '}
            <button
              type="button"
              className="link-button"
              disabled={busy}
              onClick={() => remove({ action: 'removeRule', name: r.name })}
            >
              remove
            </button>
          </li>
        ))}
      </ul>
      {webhooks.length === 0 ? (
        <p className="muted small">Add a webhook first: a rule needs somewhere to send its alerts.</p>
      ) : (
        <RuleForm budgets={budgets} webhooks={webhooks} save={save} busy={busy} />
      )}
      {problem && (
        <p className="form-error" role="alert" data-testid="remove-error">
          {problem}
        </p>
      )}
    </div>
  )
}
