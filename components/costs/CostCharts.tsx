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
import type { CostSeries } from '@/lib/costs/api'
import { formatWei } from '@/lib/explorer/format'

const COLORS = ['#3b5bdb', '#0ca678', '#f08c00', '#ae3ec9', '#e8590c', '#1098ad', '#868e96']

/** Charts draw in gwei as numbers; the exact wei are in the tables. */
const gwei = (wei: string) => Number(BigInt(wei)) / 1e9
const gweiLabel = (value: unknown) => formatWei(BigInt(Math.round(Number(value) * 1e9)))

export type PairBar = { label: string; settled: string; pending: string }
export type Flow = { nodes: string[]; links: Array<{ source: number; target: number; value: string }> }

/** Settled spend per hour or day, stacked by provider. */
export function SpendOverTime({ series }: { series: CostSeries }) {
  const hourly = series.bucketSeconds === 3_600
  const data = series.points.map((p) => ({
    t: hourly ? p.bucket.slice(11, 16) : p.bucket.slice(5, 10),
    ...Object.fromEntries(series.providers.map((s) => [s.key, gwei(p.values[s.key] ?? '0')])),
  }))
  if (series.providers.length === 0) return <p className="muted">Nothing was settled in this window.</p>
  return (
    <div className="chart" data-testid="chart-spend">
      <ResponsiveContainer width="100%" height={280}>
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e5eb" />
          <XAxis dataKey="t" fontSize={12} minTickGap={24} />
          <YAxis fontSize={12} width={80} unit=" gwei" />
          <Tooltip formatter={(v) => gweiLabel(v)} labelFormatter={(l) => `${l} UTC`} />
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
        Settled per {hourly ? 'hour' : 'day'} (UTC), stacked by the provider paid, in gwei.
      </p>
    </div>
  )
}

/** The pairs that moved the most money: settled and pending side by side. */
export function TopPairs({ pairs }: { pairs: PairBar[] }) {
  if (pairs.length === 0) return <p className="muted">No pairs in this window.</p>
  const data = pairs.map((p) => ({ label: p.label, settled: gwei(p.settled), pending: gwei(p.pending) }))
  return (
    <div className="chart" data-testid="chart-pairs">
      <ResponsiveContainer width="100%" height={Math.max(160, 34 * data.length + 50)}>
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e5eb" />
          <XAxis type="number" fontSize={12} unit=" gwei" />
          <YAxis type="category" dataKey="label" width={170} fontSize={12} />
          <Tooltip formatter={(v) => gweiLabel(v)} />
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
  payload: { name: string; value: number; targetLinks?: unknown[] }
}

/** A Sankey node: a bar and its service's name with the amount. */
function SankeyNode({ x, y, width, height, payload }: SankeyNodeProps) {
  // recharts' targetLinks are a node's outgoing links.
  const sink = (payload.targetLinks?.length ?? 0) === 0
  return (
    <g>
      <rect x={x} y={y} width={width} height={height} fill="#3b5bdb" rx={2} />
      {/* Services that only receive sit on the right edge: their names go to the left of the bar. */}
      <text
        x={sink ? x - 6 : x + width + 6}
        y={y + height / 2}
        textAnchor={sink ? 'end' : 'start'}
        dominantBaseline="middle"
        fontSize={12}
        fill="#14171f"
      >
        {payload.name} · {gweiLabel(payload.value)}
      </text>
    </g>
  )
}

/** Flows of money from consumers to providers (only drawn when the graph has no cycle). */
export function FlowSankey({ flow }: { flow: Flow }) {
  if (flow.links.length === 0) return null
  const data = {
    nodes: flow.nodes.map((name) => ({ name })),
    links: flow.links.map((l) => ({ source: l.source, target: l.target, value: gwei(l.value) })),
  }
  return (
    <div className="chart" data-testid="chart-sankey">
      <ResponsiveContainer width="100%" height={300}>
        <Sankey
          data={data}
          nodePadding={28}
          margin={{ top: 10, right: 10, bottom: 10, left: 10 }}
          link={{ stroke: '#3b5bdb', strokeOpacity: 0.25 }}
          node={(props) => <SankeyNode {...(props as unknown as SankeyNodeProps)} />}
        >
          <Tooltip formatter={(v) => gweiLabel(v)} />
        </Sankey>
      </ResponsiveContainer>
    </div>
  )
}
