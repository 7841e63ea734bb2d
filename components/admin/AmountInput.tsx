'use client'

import { type AmountUnit, amountUnits, parseAmount } from '@/lib/admin/amounts'
import { formatNumber } from '@/lib/explorer/format'

export type AmountValue = { text: string; unit: AmountUnit }

/**
 * An amount typed in ETH, gwei or wei, with the exact wei it converts to under it (or why it
 * does not convert). Nothing is rounded.
 */
export function AmountInput({
  id,
  label,
  value,
  onChange,
  error,
  testId,
}: {
  id: string
  label: string
  value: AmountValue
  onChange: (value: AmountValue) => void
  error?: string
  testId: string
}) {
  const parsed = value.text.trim() === '' ? null : parseAmount(value.text, value.unit)
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
          data-testid={`${testId}-amount`}
        />
        <select
          aria-label={`${label}: unit`}
          value={value.unit}
          onChange={(e) => onChange({ ...value, unit: e.target.value as AmountUnit })}
          data-testid={`${testId}-unit`}
        >
          {Object.keys(amountUnits).map((unit) => (
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
      ) : parsed ? (
        <p
          className={parsed.ok ? 'field-note' : 'field-error'}
          data-testid={`${testId}-wei`}
          data-wei={parsed.ok ? parsed.value.toString() : ''}
        >
          {parsed.ok ? `= ${formatNumber(parsed.value)} wei` : parsed.reason}
        </p>
      ) : null}
    </div>
  )
}
