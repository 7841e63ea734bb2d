import { contractErrorSentence } from '../contractErrors'
import type { AmountUnit, DurationUnit } from './amounts'

/*
 * Test helpers shared by the dashboard's suites here (actions*.test.ts, openChannel*.test.ts).
 */

/** What channelActions tells a stranger. */
export const NOT_PARTY = `The connected account is neither this channel's consumer nor its provider. ${contractErrorSentence('NotParty')}`

/** A duration field of `value` seconds. */
export const seconds = (value: bigint | string) => ({ text: String(value), unit: 'seconds' as DurationUnit })
/** An amount field of `value` wei. */
export const wei = (value: bigint | string) => ({ text: String(value), unit: 'wei' as AmountUnit })
