import { describe, expect, it } from 'vitest'
import { createDemandMeter } from './demand'

describe('createDemandMeter', () => {
  it('follows a rise at once, keeps the busier of two windows, and forgets after two idle windows', () => {
    let now = 10_000
    const meter = createDemandMeter(() => now)
    expect(meter.perSecond()).toBe(0)
    meter.add(30)
    expect(meter.perSecond()).toBe(30)
    now += 1_000 // a new window: the last one (30) still counts
    meter.add(5)
    expect(meter.perSecond()).toBe(30)
    meter.add(40)
    expect(meter.perSecond()).toBe(45)
    now += 1_000 // the last window was 45
    expect(meter.perSecond()).toBe(45)
    now += 2_000 // two windows without demand: nothing counts
    expect(meter.perSecond()).toBe(0)
  })
})
