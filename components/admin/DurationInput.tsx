'use client'

import { type DurationUnit, durationUnits, parseDuration } from '@/lib/admin/amounts'
import { formatDuration, formatNumber } from '@/lib/explorer/format'
import { UnitInput, type UnitValue } from './UnitInput'

export type DurationValue = UnitValue<DurationUnit>

const units = Object.keys(durationUnits) as DurationUnit[]

/** A duration typed as a number of seconds, minutes, hours or days, with the whole seconds it makes. */
export function DurationInput(props: {
  id: string
  label: string
  value: DurationValue
  onChange: (value: DurationValue) => void
  error?: string
  testId: string
  hint?: string
}) {
  const { testId, ...rest } = props
  return (
    <UnitInput
      {...rest}
      units={units}
      parse={parseDuration}
      converted={(seconds) => ({
        text: `= ${formatNumber(seconds)} s${seconds >= 60n ? ` (${formatDuration(Number(seconds))})` : ''}`,
        data: { 'data-seconds': seconds.toString() },
      })}
      testIds={{
        input: `${testId}-value`,
        unit: `${testId}-unit`,
        result: `${testId}-seconds`,
        error: `${testId}-error`,
      }}
    />
  )
}
