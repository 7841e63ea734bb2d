/**
 * A line chart as a standalone SVG file, for the benchmark's figures (no library: a few axes,
 * ticks with thousands separators, one polyline per series and a legend). Good enough to see a
 * trend or compare curves next to the printed tables, which stay the exact record.
 */

export type Series = { name: string; points: readonly (readonly [number, number])[] }

const WIDTH = 760
const HEIGHT = 420
const MARGIN = { left: 70, right: 20, top: 40, bottom: 50 }
const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#ca8a04']

const xmlText = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** About five round tick values covering [min, max]. */
export function ticks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min]
  const raw = (max - min) / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude
  const out: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)))
  return out
}

const label = (v: number) =>
  Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(3)))

/**
 * The SVG text of a chart of `series`: x and y axes from 0 (or the data's minimum when
 * negative) to the data's maximum, or `yMax` when given.
 */
export function lineChart({
  title,
  xLabel,
  yLabel,
  series,
  yMax,
  xLog = false,
}: {
  title: string
  xLabel: string
  yLabel: string
  series: readonly Series[]
  yMax?: number
  /** A logarithmic x axis (positive x only), ticked at the powers of ten. */
  xLog?: boolean
}): string {
  const all = series.flatMap((s) => s.points)
  const xs = all.map(([x]) => x)
  const ys = all.map(([, y]) => y)
  const fx = (x: number) => (xLog ? Math.log10(x) : x)
  const xMin = xLog ? Math.floor(Math.min(...xs.map(fx))) : Math.min(0, ...xs)
  const xMax = xLog ? Math.ceil(Math.max(...xs.map(fx))) : Math.max(1, ...xs)
  const yMin = Math.min(0, ...ys)
  const top = yMax ?? Math.max(1, ...ys)
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  const px = (x: number) => MARGIN.left + ((fx(x) - xMin) / (xMax - xMin)) * plotW
  const py = (y: number) => MARGIN.top + plotH - ((Math.min(y, top) - yMin) / (top - yMin)) * plotH
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${xmlText(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${xmlText(title)}</text>`,
  ]
  for (const t of ticks(yMin, top)) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${py(t)}" y2="${py(t)}" stroke="#e5e7eb"/>`,
      `<text x="${MARGIN.left - 6}" y="${py(t) + 4}" text-anchor="end">${label(t)}</text>`,
    )
  }
  const xTicks = xLog
    ? Array.from({ length: xMax - xMin + 1 }, (_, i) => 10 ** (xMin + i))
    : ticks(xMin, xMax)
  for (const t of xTicks) {
    parts.push(
      `<line x1="${px(t)}" x2="${px(t)}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#374151"/>`,
      `<text x="${px(t)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${label(t)}</text>`,
    )
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#374151"/>`,
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#374151"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${xmlText(xLabel)}</text>`,
    `<text x="16" y="${MARGIN.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${MARGIN.top + plotH / 2})">${xmlText(yLabel)}</text>`,
  )
  for (const [i, s] of series.entries()) {
    const colour = COLOURS[i % COLOURS.length]
    const points = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${points}"/>`,
      `<rect x="${WIDTH - MARGIN.right - 190}" y="${MARGIN.top + 6 + i * 16}" width="12" height="3" fill="${colour}"/>`,
      `<text x="${WIDTH - MARGIN.right - 172}" y="${MARGIN.top + 11 + i * 16}">${xmlText(s.name)}</text>`,
    )
  }
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
