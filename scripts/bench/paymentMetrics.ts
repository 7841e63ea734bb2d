/**
 * The Payment Server's own view of a bench phase: `GET /api/payment/metrics` (Prometheus text,
 * admin key) read before and after, and the difference summarised per route.
 */

/** Sample name with its labels (as printed) → value. */
export type MetricsSnapshot = Map<string, number>

export async function readMetrics(url: string, adminKey: string): Promise<MetricsSnapshot> {
  const response = await fetch(`${url}/api/payment/metrics`, {
    headers: { authorization: `Bearer ${adminKey}` },
  })
  if (!response.ok) throw new Error(`GET /api/payment/metrics answered ${response.status}`)
  const snapshot: MetricsSnapshot = new Map()
  for (const line of (await response.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue
    const space = line.lastIndexOf(' ')
    snapshot.set(line.slice(0, space), Number(line.slice(space + 1)))
  }
  return snapshot
}

function labelsOf(sample: string): Record<string, string> {
  const inner = /\{(.*)\}$/.exec(sample)?.[1] ?? ''
  return Object.fromEntries([...inner.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
}

type Histogram = { count: number; sum: number; buckets: [number, number][] }

/** The increase of histogram `name` between the snapshots, per value of `by` (a label; '' for one series). */
function histogramDelta(
  before: MetricsSnapshot,
  after: MetricsSnapshot,
  name: string,
  by: (labels: Record<string, string>) => string,
): Map<string, Histogram> {
  const out = new Map<string, Histogram>()
  const get = (key: string) => {
    let h = out.get(key)
    if (!h) {
      h = { count: 0, sum: 0, buckets: [] }
      out.set(key, h)
    }
    return h
  }
  for (const [sample, value] of after) {
    const delta = value - (before.get(sample) ?? 0)
    const labels = labelsOf(sample)
    if (sample.startsWith(`${name}_bucket`)) {
      const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le)
      get(by(labels)).buckets.push([le, delta])
    } else if (sample.startsWith(`${name}_count`)) get(by(labels)).count += delta
    else if (sample.startsWith(`${name}_sum`)) get(by(labels)).sum += delta
  }
  for (const [key, h] of out) {
    if (h.count === 0) out.delete(key)
    else h.buckets.sort((a, b) => a[0] - b[0])
  }
  return out
}

/** Upper bound of the bucket holding the p-th percentile (cumulative buckets). */
function bucketBound(h: Histogram, p: number): number {
  const target = (p / 100) * h.count
  for (const [le, cumulative] of h.buckets) if (cumulative >= target) return le
  return Number.POSITIVE_INFINITY
}

export type RouteSummary = {
  route: string
  calls: number
  meanMs: number
  p50AtMostMs: number
  p99AtMostMs: number
}

export type PhaseMetrics = {
  routes: RouteSummary[]
  /** Database statements that decided verifications, and tokens per statement. */
  verifyStatements: number
  tokensPerStatement: number
  maxStatementBucket: number
}

/** What the Payment Server did between two snapshots. */
export function phaseMetrics(before: MetricsSnapshot, after: MetricsSnapshot): PhaseMetrics {
  // The bench's own reads of /metrics are left out.
  const routes = [
    ...histogramDelta(before, after, 'payment_request_duration_seconds', (l) => `${l.route} ${l.status}`),
  ]
    .filter(([route]) => !route.startsWith('metrics '))
    .map(([route, h]) => ({
      route,
      calls: h.count,
      meanMs: (h.sum / h.count) * 1000,
      p50AtMostMs: bucketBound(h, 50) * 1000,
      p99AtMostMs: bucketBound(h, 99) * 1000,
    }))
  const batch = histogramDelta(before, after, 'payment_verify_batch_tokens', () => '').get('')
  return {
    routes: routes.sort((a, b) => b.calls - a.calls),
    verifyStatements: batch?.count ?? 0,
    tokensPerStatement: batch ? batch.sum / batch.count : 0,
    maxStatementBucket: batch ? bucketBound(batch, 100) : 0,
  }
}
