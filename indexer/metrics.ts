import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import { BaseError } from 'viem'
import type { Cursor } from './batch'

/**
 * Prometheus metrics of one indexer process (`GET /metrics` on INDEXER_PORT, served by ./main.ts through lib/server/system/probeServer.ts), in a
 * registry of its own. The Grafana dashboard and the alert rules in deploy/ read these names.
 * The head, indexed block and lags are this instance's view while it leads; on a standby they
 * are NaN (it reads nothing, so it knows nothing), which Prometheus's max() and comparisons
 * skip, so `max(indexer_lag_seconds)` is the leader's lag.
 */
export function createIndexerMetrics() {
  const registry = new Registry()
  // indexer_process_cpu_user_seconds_total, indexer_nodejs_heap_size_used_bytes, ...: one prefix.
  collectDefaultMetrics({ register: registry, prefix: 'indexer_' })
  let head: bigint | null = null
  let indexed: Cursor | null = null
  let leading = false
  const known = (value: number | null) => (leading && value !== null ? value : Number.NaN)
  const gauge = (name: string, help: string, value: () => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(known(value()))
      },
    })
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] })

  gauge('indexer_head_block', "The node's head block, as last read", () =>
    head === null ? null : Number(head),
  )
  gauge('indexer_indexed_block', 'The last block whose data is fully indexed', () =>
    indexed === null ? null : Number(indexed.number),
  )
  gauge('indexer_lag_blocks', 'Blocks between the head and the indexed block', () =>
    head === null || indexed === null ? null : Math.max(0, Number(head - indexed.number)),
  )
  gauge('indexer_lag_seconds', "Age of the indexed block's timestamp, now", () =>
    indexed === null ? null : Math.max(0, Date.now() / 1000 - Number(indexed.timestamp)),
  )
  new Gauge({
    name: 'indexer_leader',
    help: "1 while this instance holds the indexer's lease (it indexes), else 0 (it stands by)",
    registers: [registry],
    collect() {
      this.set(leading ? 1 : 0)
    },
  })
  const events = counter('indexer_events_total', 'Events this process indexed (new rows)')
  const blocks = counter('indexer_blocks_total', 'Blocks this process indexed (the cursor moved over them)')
  const reorgs = counter('indexer_reorgs_total', 'Reorgs this process rolled back')
  const rpcErrors = counter('indexer_rpc_errors_total', "Rounds that failed on the node's answer (retried)")
  const takeovers = counter('indexer_lease_takeovers_total', "Times this instance took the indexer's lease")

  return {
    registry,
    /** The node's head, read at the start of a round. */
    head(number: bigint) {
      head = number
    },
    /** A range written (or the cursor loaded): `events` new rows, the cursor moved by `blocks`. */
    indexed(cursor: Cursor | null, written?: { events: number; blocks: bigint }) {
      indexed = cursor
      if (written) {
        events.inc(written.events)
        if (written.blocks > 0n) blocks.inc(Number(written.blocks))
      }
    },
    reorg() {
      reorgs.inc()
    },
    /** A round failed: counted when the node's answer (not the database) failed it. */
    failed(error: unknown) {
      if (error instanceof BaseError) rpcErrors.inc()
    },
    /** This instance starts (took the lease) or stops leading. */
    leading(now: boolean) {
      if (now && !leading) takeovers.inc()
      leading = now
      if (!now) {
        head = null
        indexed = null
      }
    },
  }
}

export type IndexerMetrics = ReturnType<typeof createIndexerMetrics>
