'use client'

import { type AmountUnit, amountUnits, parseAmount } from '@/lib/admin/amounts'
import { formatNumber } from '@/lib/explorer/format'
import { UnitInput, type UnitValue } from './UnitInput'

export type AmountValue = UnitValue<AmountUnit>

const units = Object.keys(amountUnits) as AmountUnit[]

/** An amount typed in ETH, gwei or wei, with the exact wei it converts to under it (nothing rounded). */
export function AmountInput(props: {
  id: string
  label: string
  value: AmountValue
  onChange: (value: AmountValue) => void
  error?: string
  testId: string
}) {
  const { testId, ...rest } = props
  return (
    <UnitInput
      {...rest}
      units={units}
      parse={parseAmount}
      converted={(wei) => ({ text: `= ${formatNumber(wei)} wei`, data: { 'data-wei': wei.toString() } })}
      testIds={{
        input: `${testId}-amount`,
        unit: `${testId}-unit`,
        result: `${testId}-wei`,
        error: `${testId}-error`,
      }}
    />
  )
}
