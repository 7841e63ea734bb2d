/** Demand is counted in windows this long. */
const WINDOW_MS = 1_000

/** A recent rate of demand, for sizing what to keep ahead of it. */
export type DemandMeter = {
  /** Counts `n` more items asked for now. */
  add(n: number): void
  /** Items per second: the busier of the current window and the last one. */
  perSecond(): number
}

/**
 * Counts demand in 1 s windows; the rate is the busier of the current window and the last one,
 * so it follows a rise at once and a fall within 2 s. Used for what the issuer takes ahead of a
 * channel and for the tokens the client library keeps ahead of a provider.
 */
export function createDemandMeter(now: () => number = Date.now): DemandMeter {
  let windowStart = now()
  let current = 0
  let previous = 0
  const roll = () => {
    const t = now()
    if (t - windowStart < WINDOW_MS) return
    previous = t - windowStart >= 2 * WINDOW_MS ? 0 : current
    current = 0
    windowStart = t
  }
  return {
    add(n) {
      roll()
      current += n
    },
    perSecond() {
      roll()
      return (Math.max(current, previous) * 1000) / WINDOW_MS
    },
  }
}
