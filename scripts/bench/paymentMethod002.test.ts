import { describe, expect, it } from 'vitest'
import { shareSlower } from './paymentMethod002'
import { lineChart, ticks } from './svgChart'

describe('the threshold curve and its chart', () => {
  it('shareSlower() counts the latencies strictly above the threshold', () => {
    const latencies = [1, 2, 2, 3, 10, 50]
    expect(shareSlower(latencies, 0)).toBe(1)
    expect(shareSlower(latencies, 2)).toBe(3 / 6)
    expect(shareSlower(latencies, 9.99)).toBe(2 / 6)
    expect(shareSlower(latencies, 50)).toBe(0)
    expect(shareSlower([], 5)).toBe(0)
  })

  it('ticks() gives round steps covering the range', () => {
    expect(ticks(0, 100)).toEqual([0, 20, 40, 60, 80, 100])
    expect(ticks(0, 10_000)).toEqual([0, 2_000, 4_000, 6_000, 8_000, 10_000])
    expect(ticks(0, 7)).toEqual([0, 2, 4, 6])
    expect(ticks(5, 5)).toEqual([5])
  })

  it('lineChart() draws one polyline per series, with escaped names and separated tick labels', () => {
    const svg = lineChart({
      title: 'a <b> & c',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'one',
          points: [
            [0, 1],
            [5_000, 2],
          ],
        },
        {
          name: 'two "2"',
          points: [
            [0, 3],
            [10_000, 4],
          ],
        },
      ],
    })
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.match(/<polyline /g)).toHaveLength(2)
    expect(svg).toContain('a &lt;b&gt; &amp; c')
    expect(svg).toContain('two &quot;2&quot;')
    expect(svg).toContain('>10,000</text>')
  })

  it('lineChart() with xLog ticks the powers of ten and places them evenly', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      xLog: true,
      series: [
        {
          name: 's',
          points: [
            [2, 1],
            [500, 0],
          ],
        },
      ],
    })
    const at = (label: string) =>
      Number(new RegExp(`<text x="([\\d.]+)"[^>]*>${label}</text>`).exec(svg)?.[1])
    // (The y axis has a '1' of its own: the x ticks from 10 on are the axis's alone.)
    expect(['10', '100', '1,000'].map(at).every(Number.isFinite)).toBe(true)
    expect(at('100') - at('10')).toBeCloseTo(at('1,000') - at('100'), 6)
  })
})
