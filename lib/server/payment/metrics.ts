import { constants, PerformanceObserver } from 'node:perf_hooks'
import v8 from 'node:v8'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { type ChannelMetricsSource, registerChannelMetrics } from './channelMetrics'

/** V8 heap in use right after the last full garbage collection of this process (0 before the first). */
let liveHeap = 0
let watchingGc = false

/**
 * Keeps {@link liveHeap} up to date, once per process: the heap a full collection leaves is
 * what the process holds on to. The heap in use at any other moment also counts garbage that
 * V8 collects lazily (a busy web process's swings by hundreds of MB between collections), so
 * only this one shows a leak as a rising line.
 */
function watchGc(): void {
  if (watchingGc) return
  watchingGc = true
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
        liveHeap = v8.getHeapStatistics().used_heap_size
    }
  }).observe({ entryTypes: ['gc'] })
}

/**
 * Prometheus metrics of one Payment Server process (`GET /api/payment/metrics`, text format),
 * named by Prometheus's conventions: one `payment_` prefix (the process's own as
 * `payment_process_cpu_user_seconds_total`, `payment_nodejs_heap_size_used_bytes`...), the
 * unit last (`_seconds`, `_bytes`, `_wei`) and `_total` on counters. Labels are codes, routes
 * and actions, never keys or amounts; channel addresses only on the bounded per-channel gauges
 * of ./channelMetrics, registered when `channels` says where to read them.
 */
export function createPaymentMetrics({ channels }: { channels?: ChannelMetricsSource } = {}) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'payment_' })
  watchGc()
  if (channels) registerChannelMetrics(registry, channels)
  const m = {
    registry,
    liveHeap: new Gauge({
      name: 'payment_nodejs_heap_live_bytes',
      help: 'V8 heap in use right after the last full garbage collection: what the process holds on to, without the garbage collected lazily (0 before the first)',
      registers: [registry],
      collect() {
        this.set(liveHeap)
      },
    }),
    tokensIssued: new Counter({
      name: 'payment_tokens_issued_total',
      help: 'Tokens issued',
      registers: [registry],
    }),
    issueTakes: new Counter({
      name: 'payment_issue_takes_total',
      help: 'Statements that took request counts for tokens (tokens beyond them were signed from counts taken ahead)',
      registers: [registry],
    }),
    issueRefused: new Counter({
      name: 'payment_issue_refused_total',
      help: 'Token requests refused, by code',
      labelNames: ['code'],
      registers: [registry],
    }),
    verified: new Counter({
      name: 'payment_tokens_verified_total',
      help: 'Tokens verified, by result (accepted or refused) and, for a refusal, its code',
      labelNames: ['result', 'code'],
      registers: [registry],
    }),
    verifyBatch: new Histogram({
      name: 'payment_verify_batch_tokens',
      help: 'Tokens decided per database statement',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    recoveries: new Counter({
      name: 'payment_signature_recoveries_total',
      help: 'Token signatures recovered, by thread: main (few verify calls in progress) or worker',
      labelNames: ['thread'],
      registers: [registry],
    }),
    countsForgotten: new Counter({
      name: 'payment_counts_forgotten_total',
      help: 'Request counts no longer awaited (missing longer than PAYMENT_MISSING_TTL_SECONDS, or past PAYMENT_MAX_MISSING_RANGES): paid for by a higher token, never presented',
      registers: [registry],
    }),
    verifyConflicts: new Counter({
      name: 'payment_verify_conflicts_total',
      help: 'Acceptance writes retried because another instance changed the channel first',
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'payment_request_duration_seconds',
      help: 'Payment API request duration, by route and status',
      labelNames: ['route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    runnerActions: new Counter({
      name: 'payment_runner_actions_total',
      help: 'Background transactions, by action and outcome',
      labelNames: ['action', 'outcome'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'payment_rate_limited_total',
      help: 'Calls refused with 429, by limit: key (tokens per second of an API key), address (calls per second of a client address), auth_failures (missing or unknown keys of an address), in_flight (calls of a key in progress)',
      labelNames: ['limit'],
      registers: [registry],
    }),
    chainResets: new Counter({
      name: 'payment_chain_resets_total',
      help: 'Resets of the chain this instance found (its reference block gone from the node); see ./chainEpoch',
      registers: [registry],
    }),
    retiredChannels: new Counter({
      name: 'payment_retired_channels_total',
      help: 'Channels this instance retired because their chain was reset (kept in payment_retired_channel)',
      registers: [registry],
    }),
    staleChannels: new Gauge({
      name: 'payment_stale_channels',
      help: 'Channels served from their last known state because the chain node does not answer (PAYMENT_STALE_STATE_SECONDS)',
      registers: [registry],
    }),
    staleSince: new Gauge({
      name: 'payment_stale_since_timestamp_seconds',
      help: 'Unix time since which the oldest channel is served from its last known state; 0 when none is',
      registers: [registry],
    }),
    runnerLeader: new Gauge({
      name: 'payment_runner_leader',
      help: '1 when this process holds the runner lock',
      registers: [registry],
    }),
  }
  return m
}

export type PaymentMetrics = ReturnType<typeof createPaymentMetrics>
