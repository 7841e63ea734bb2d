'use client'

import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Sankey,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import { useViewUnit } from '@/components/UnitProvider'
import type { CostSeries } from '@/lib/costs/api'
import { formatUtc } from '@/lib/explorer/format'
import { type DisplayUnit, type FiatRate, formatAmount, inUnit } from '@/lib/units'

const COLORS = ['#3b5bdb', '#0ca678', '#f08c00', '#ae3ec9', '#e8590c', '#1098ad', '#868e96']

/** An axis tick: the chart's own round number, with separators (en-US, whatever the browser's locale). */
const TICK = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 6, maximumFractionDigits: 9 })

/**
 * The view's unit for a chart. Bars and ticks are drawn from floating-point numbers in that
 * unit (geometry only); every label reads the exact wei, kept beside each value as `<key>__wei`.
 */
function useChartUnit() {
  const view = useViewUnit()
  const unit: DisplayUnit = view?.unit ?? 'gwei'
  const fiat: FiatRate | null = view?.fiat ?? null
  return {
    unit,
    plot: (wei: string) => {
      const f = inUnit(wei, unit, fiat)
      return Number(f.num) / Number(f.den)
    },
    label: (wei: string) => formatAmount({ wei, unit, fiat }),
    tick: (value: number) => `${TICK.format(value)} ${unit}`,
    /** A tooltip's reading: the exact wei of the hovered value, rounded like every figure. */
    tooltip: (_: unknown, __: unknown, item: { dataKey?: unknown; payload?: Record<string, unknown> }) =>
      formatAmount({ wei: String(item.payload?.[`${String(item.dataKey)}__wei`] ?? '0'), unit, fiat }),
  }
}

/** `{ key: plotted number, key__wei: exact wei }` for each of `values`. */
const plotted = (values: Record<string, string>, plot: (wei: string) => number) =>
  Object.fromEntries(
    Object.entries(values).flatMap(([k, wei]) => [
      [k, plot(wei)],
      [`${k}__wei`, wei],
    ]),
  )

export type PairBar = { label: string; settled: string; pending: string }
export type Flow = { nodes: string[]; links: Array<{ source: number; target: number; value: string }> }

/** Settled spend per hour or day, stacked by provider. */
export function SpendOverTime({ series }: { series: CostSeries }) {
  const u = useChartUnit()
  const hourly = series.bucketSeconds === 3_600
  const data = series.points.map((p) => ({
    t: formatUtc(p.bucket, hourly ? 'minute' : 'day'),
    ...plotted(Object.fromEntries(series.providers.map((s) => [s.key, p.values[s.key] ?? '0'])), u.plot),
  }))
  if (series.providers.length === 0) return <p className="muted">Nothing was settled in this window.</p>
  return (
    <div className="chart" data-testid="chart-spend">
      <ResponsiveContainer width="100%" height={280}>
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e5eb" />
          {/* Ticks show the hour (or the date) of the UTC time the tooltip writes in full. */}
          <XAxis
            dataKey="t"
            fontSize={12}
            minTickGap={24}
            tickFormatter={(t: string) => (hourly ? t.slice(11, 16) : t.slice(5))}
          />
          <YAxis fontSize={12} width={104} tickFormatter={u.tick} />
          <Tooltip formatter={u.tooltip} />
          <Legend />
          {series.providers.map((s, i) => (
            <Bar
              key={s.key}
              dataKey={s.key}
              name={s.name}
              stackId="spend"
              fill={COLORS[i % COLORS.length]}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
      <p className="muted small">
        Settled per {hourly ? 'hour' : 'day'} (UTC), stacked by the provider paid
        {series.providers.some((p) => p.category !== undefined) &&
          ' (and by request category where its channels have several)'}
        , in {u.unit}.
      </p>
    </div>
  )
}

/** The pairs that moved the most money: settled and pending side by side. */
export function TopPairs({ pairs }: { pairs: PairBar[] }) {
  const u = useChartUnit()
  if (pairs.length === 0) return <p className="muted">No pairs in this window.</p>
  const data = pairs.map((p) => ({
    label: p.label,
    ...plotted({ settled: p.settled, pending: p.pending }, u.plot),
  }))
  return (
    <div className="chart" data-testid="chart-pairs">
      <ResponsiveContainer width="100%" height={Math.max(160, 34 * data.length + 50)}>
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e5eb" />
          <XAxis type="number" fontSize={12} tickFormatter={u.tick} minTickGap={16} />
          <YAxis type="category" dataKey="label" width={170} fontSize={12} />
          <Tooltip formatter={u.tooltip} />
          <Legend />
          <Bar
            dataKey="settled"
            name="settled on chain"
            stackId="a"
            fill="#3b5bdb"
            isAnimationActive={false}
          />
          <Bar
            dataKey="pending"
            name="pending (off chain)"
            stackId="a"
            fill="#f08c00"
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}

type SankeyNodeProps = {
  x: number
  y: number
  width: number
  height: number
  payload: {
    name: string
    value: number
    value__wei: string
    sourceLinks?: unknown[]
    targetLinks?: unknown[]
  }
  label: (wei: string) => string
}

/**
 * A Sankey node: a bar, and its service's name over its amount (two short lines, not one long).
 * Services that only pay label to the right of their bar, those that only receive to the left
 * (they sit on the right edge), and those in between above it: beside the bar, a middle label
 * ran into the next column's labels on a phone.
 */
function SankeyNode({ x, y, width, height, payload, label }: SankeyNodeProps) {
  // recharts' targetLinks are a node's outgoing links, its sourceLinks the incoming ones.
  const sink = (payload.targetLinks?.length ?? 0) === 0
  const middle = !sink && (payload.sourceLinks?.length ?? 0) > 0
  const at = middle ? x + width / 2 : sink ? x - 6 : x + width + 6
  return (
    <g>
      <rect x={x} y={y} width={width} height={height} fill="#3b5bdb" rx={2} />
      <text
        x={at}
        y={middle ? y - 22 : y + height / 2}
        textAnchor={middle ? 'middle' : sink ? 'end' : 'start'}
        fontSize={12}
        fill="#14171f"
      >
        <tspan x={at} dy="-0.2em" fontWeight={600}>
          {payload.name}
        </tspan>
        <tspan x={at} dy="1.2em" fill="#5c6370">
          {label(payload.value__wei)}
        </tspan>
      </text>
    </g>
  )
}

/** Flows of money from consumers to providers (only drawn when the graph has no cycle). */
export function FlowSankey({ flow }: { flow: Flow }) {
  const u = useChartUnit()
  if (flow.links.length === 0) return null
  // A node's amount is what flows through it, as recharts sizes it: the larger of in and out.
  const incoming = flow.nodes.map(() => 0n)
  const outgoing = flow.nodes.map(() => 0n)
  for (const l of flow.links) {
    incoming[l.target] = (incoming[l.target] ?? 0n) + BigInt(l.value)
    outgoing[l.source] = (outgoing[l.source] ?? 0n) + BigInt(l.value)
  }
  const through = (i: number) => {
    const [a = 0n, b = 0n] = [incoming[i], outgoing[i]]
    // biome-ignore lint/complexity/useMathMinMax: bigint, which Math.max does not take
    return a > b ? a : b
  }
  const data = {
    nodes: flow.nodes.map((name, i) => ({ name, value__wei: String(through(i)) })),
    links: flow.links.map((l) => ({
      source: l.source,
      target: l.target,
      ...plotted({ value: l.value }, u.plot),
    })),
  }
  // Room for two-line labels: the busiest column's nodes each get ~56 px.
  const height = Math.max(300, 56 * flow.nodes.length)
  return (
    <div className="chart" data-testid="chart-sankey">
      <ResponsiveContainer width="100%" height={height}>
        <Sankey
          data={data}
          nodePadding={44}
          margin={{ top: 40, right: 10, bottom: 16, left: 10 }}
          link={{ stroke: '#3b5bdb', strokeOpacity: 0.25 }}
          node={(props) => <SankeyNode {...(props as unknown as SankeyNodeProps)} label={u.label} />}
        >
          <Tooltip formatter={(_v, _n, item) => u.label(sankeyWei(item))} />
        </Sankey>
      </ResponsiveContainer>
    </div>
  )
}

/** The exact wei of a hovered Sankey link or node (recharts nests the datum one level down for links). */
function sankeyWei(item: { payload?: unknown }): string {
  const p = item.payload as { value__wei?: string; payload?: { value__wei?: string } } | undefined
  return p?.value__wei ?? p?.payload?.value__wei ?? '0'
}
