'use client'

import { type DurationUnit, durationUnits, parseDuration } from '@/lib/admin/amounts'
import { formatDuration, formatNumber } from '@/lib/explorer/format'

export type DurationValue = { text: string; unit: DurationUnit }

/** A duration typed as a number of seconds, minutes, hours or days, with the seconds it makes. */
export function DurationInput({
  id,
  label,
  value,
  onChange,
  error,
  testId,
  hint,
}: {
  id: string
  label: string
  value: DurationValue
  onChange: (value: DurationValue) => void
  error?: string
  testId: string
  hint?: string
}) {
  const parsed = value.text.trim() === '' ? null : parseDuration(value.text, value.unit)
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
          data-testid={`${testId}-value`}
        />
        <select
          aria-label={`${label}: unit`}
          value={value.unit}
          onChange={(e) => onChange({ ...value, unit: e.target.value as DurationUnit })}
          data-testid={`${testId}-unit`}
        >
          {Object.keys(durationUnits).map((unit) => (
            <option key={unit} value={unit}>
              {unit}
            </option>
          ))}
        </select>
      </div>
      {error ? (
        <p className="field-error" data-testid={`${testId}-error`}>
          {error}
        </p>
      ) : parsed?.ok ? (
        <p className="field-note" data-testid={`${testId}-seconds`} data-seconds={parsed.value.toString()}>
          = {formatNumber(parsed.value)} s
          {parsed.value >= 60n ? ` (${formatDuration(Number(parsed.value))})` : ''}
        </p>
      ) : parsed ? (
        <p className="field-error">{parsed.reason}</p>
      ) : null}
      {hint && <p className="field-note">{hint}</p>}
    </div>
  )
}
