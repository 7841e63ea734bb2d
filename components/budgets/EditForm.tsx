'use client'

import { type FormEvent, type ReactNode, useState } from 'react'
import type { BudgetEdit } from '@/lib/budgets/api'
import { Outcome } from './Field'
import type { EditOutcome } from './useAdminEdit'

/** What a form's fields make: the edit to save, or why they do not make one yet. */
export type Built = { edit: BudgetEdit; done: string } | { problem: string }

/**
 * One budgets form: checks its fields in words (`build`), then saves the edit and says what
 * was saved or why not.
 */
export function EditForm({
  testId,
  build,
  save,
  busy,
  submitLabel,
  children,
}: {
  testId: string
  build: () => Built
  save: (edit: BudgetEdit) => Promise<EditOutcome>
  busy: boolean
  submitLabel: string
  children: ReactNode
}) {
  const [problem, setProblem] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  async function submit(event: FormEvent) {
    event.preventDefault()
    setSaved(null)
    const built = build()
    if ('problem' in built) return setProblem(built.problem)
    const outcome = await save(built.edit)
    setProblem(outcome.ok ? null : outcome.problem)
    if (outcome.ok) setSaved(built.done)
  }
  return (
    <form className="label-form budget-form" onSubmit={submit} data-testid={testId} noValidate>
      {children}
      <button type="submit" className="button" disabled={busy} data-testid={`${testId}-save`}>
        {busy ? 'Saving…' : submitLabel}
      </button>
      <Outcome problem={problem} saved={saved} testId={testId} />
    </form>
  )
}
