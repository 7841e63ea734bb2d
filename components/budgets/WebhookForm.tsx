'use client'

import { useState } from 'react'
import { alertNameSchema, type BudgetEdit, type WebhookKind, webhookUrlSchema } from '@/lib/budgets/api'
import { EditForm } from './EditForm'
import { SelectField, TextField } from './Field'
import type { EditOutcome } from './useAdminEdit'

/** Adds or replaces a webhook: a name, JSON or Slack, and its URL (a secret: never shown again whole). */
export function WebhookForm({
  save,
  busy,
}: {
  save: (edit: BudgetEdit) => Promise<EditOutcome>
  busy: boolean
}) {
  const [name, setName] = useState('')
  const [kind, setKind] = useState<WebhookKind>('slack')
  const [url, setUrl] = useState('')
  const build = () => {
    const named = alertNameSchema.safeParse(name)
    if (!named.success) return { problem: named.error.issues[0]?.message ?? 'Name: not valid.' }
    const checked = webhookUrlSchema.safeParse(url.trim())
    if (!checked.success) return { problem: checked.error.issues[0]?.message ?? 'url: not valid.' }
    return {
      edit: { action: 'setWebhook' as const, name, kind, url: url.trim() },
      done: `Saved webhook ${name}.`,
    }
  }
  return (
    <EditForm testId="webhook-form" build={build} save={save} busy={busy} submitLabel="Save webhook">
      <TextField
        label="Name"
        value={name}
        onChange={setName}
        placeholder="finance-slack"
        testId="webhook-name"
      />
      <SelectField
        label="Body"
        value={kind}
        options={[
          ['slack', 'Slack'],
          ['json', 'JSON'],
        ]}
        onChange={setKind}
        testId="webhook-kind"
      />
      <TextField
        label="URL (kept secret)"
        value={url}
        onChange={setUrl}
        placeholder="https://hooks.slack.com/services/…"
        testId="webhook-url"
        type="password"
        wide
      />
    </EditForm>
  )
}
