import type { AmountUnit, DurationUnit } from './amounts'

/*
 * Form fields for the open-channel tests (openChannel.test.ts, openChannel.anvil.test.ts).
 */

/** A duration field of `value` seconds. */
export const seconds = (value: bigint | string) => ({ text: String(value), unit: 'seconds' as DurationUnit })
/** An amount field of `value` wei. */
export const wei = (value: bigint | string) => ({ text: String(value), unit: 'wei' as AmountUnit })
