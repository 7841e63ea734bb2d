'use client'

import type { ReactNode } from 'react'

/** A labelled text input of the budgets forms. */
export function TextField(p: {
  label: string
  value: string
  onChange: (value: string) => void
  placeholder?: string
  testId: string
  type?: 'text' | 'password' | 'number'
  wide?: boolean
}) {
  return (
    <label className="field-label">
      {p.label}
      <input
        className={p.wide ? 'input mono' : 'input'}
        type={p.type ?? 'text'}
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        placeholder={p.placeholder}
        spellCheck={false}
        autoComplete="off"
        data-testid={p.testId}
      />
    </label>
  )
}

/** A labelled choice among a few options. */
export function SelectField<T extends string>(p: {
  label: string
  value: T
  options: ReadonlyArray<readonly [T, string]>
  onChange: (value: T) => void
  testId: string
}) {
  return (
    <label className="field-label">
      {p.label}
      <select
        className="input"
        value={p.value}
        onChange={(e) => p.onChange(e.target.value as T)}
        data-testid={p.testId}
      >
        {p.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
}

/** The outcome line under a form: its problem, or what was saved. */
export function Outcome({
  problem,
  saved,
  testId,
}: {
  problem: string | null
  saved: ReactNode
  testId: string
}) {
  if (problem)
    return (
      <p className="form-error" role="alert" data-testid={`${testId}-error`}>
        {problem}
      </p>
    )
  if (saved)
    return (
      <p className="form-ok" role="status" data-testid={`${testId}-saved`}>
        {saved}
      </p>
    )
  return null
}
