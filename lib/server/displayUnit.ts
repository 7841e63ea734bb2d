import type { FiatRate } from '../units'
import { env } from './env'

/** The operator's fiat currency and its rate per ETH (DISPLAY_CURRENCY, DISPLAY_RATE), or null. */
export function displayFiat(): FiatRate | null {
  const { DISPLAY_CURRENCY: currency, DISPLAY_RATE: rate } = env()
  return currency && rate ? { currency, rate } : null
}
