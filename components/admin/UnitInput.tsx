'use client'

import type { ReactNode } from 'react'
import type { Parsed } from '@/lib/admin/amounts'

export type UnitValue<U extends string> = { text: string; unit: U }

/**
 * A number typed with a unit chosen beside it, and under it what it converts to exactly (or why
 * it does not convert); a field error from the form replaces that line.
 */
export function UnitInput<U extends string>({
  id,
  label,
  value,
  onChange,
  units,
  parse,
  converted,
  error,
  hint,
  testIds,
}: {
  id: string
  label: string
  value: UnitValue<U>
  onChange: (value: UnitValue<U>) => void
  units: readonly U[]
  parse: (text: string, unit: U) => Parsed<bigint>
  /** The line under the input for a value that converts, with its data attribute. */
  converted: (value: bigint) => { text: ReactNode; data: Record<string, string> }
  error?: string
  hint?: string
  testIds: { input: string; unit: string; result: string; error: string }
}) {
  const parsed = value.text.trim() === '' ? null : parse(value.text, value.unit)
  const result = parsed?.ok ? converted(parsed.value) : null
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="input-row">
        <input
          id={id}
          inputMode="decimal"
          autoComplete="off"
          value={value.text}
          onChange={(e) => onChange({ ...value, text: e.target.value })}
          aria-invalid={error ? true : undefined}
          data-testid={testIds.input}
        />
        <select
          aria-label={`${label}: unit`}
          value={value.unit}
          onChange={(e) => onChange({ ...value, unit: e.target.value as U })}
          data-testid={testIds.unit}
        >
          {units.map((unit) => (
            <option key={unit} value={unit}>
              {unit}
            </option>
          ))}
        </select>
      </div>
      {error ? (
        <p className="field-error" data-testid={testIds.error}>
          {error}
        </p>
      ) : parsed && !parsed.ok ? (
        <p className="field-error" data-testid={testIds.result}>
          {parsed.reason}
        </p>
      ) : result ? (
        <p className="field-note" data-testid={testIds.result} {...result.data}>
          {result.text}
        </p>
      ) : null}
      {hint && <p className="field-note">{hint}</p>}
    </div>
  )
}
