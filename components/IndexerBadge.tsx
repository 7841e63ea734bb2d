'use client'

import { formatNumber, formatUtc } from '@/lib/explorer/format'
import type { IndexerStatus } from '@/lib/system/api'
import { usePolled } from './usePolled'

type Tone = 'ok' | 'busy' | 'bad'

function describeStatus(
  status: IndexerStatus | null,
  unreachable: boolean,
): { tone: Tone; label: string; title: string } {
  if (unreachable || !status) {
    return { tone: 'bad', label: 'Indexer: unknown', title: 'The status endpoint does not answer.' }
  }
  const at = status.indexedHead ? `#${formatNumber(status.indexedHead.number)}` : 'no block yet'
  const lagBlocks = status.lag ? BigInt(status.lag.blocks) : 0n
  const errorLine = status.lastError
    ? `\nLast error (${formatUtc(status.lastError.at)}): ${status.lastError.message}`
    : ''
  const plural = (n: string, word: string) => `${n} ${word}${n === '1' ? '' : 's'}`
  const leader = status.leader
    ? `\nLeader: ${status.leader.instance} (since ${formatUtc(status.leader.since)}), ${plural(String(status.standbys), 'standby')}`
    : '\nNo indexer instance holds the lease'
  const detail = `${plural(status.eventsIndexed, 'event')}, ${plural(status.channels, 'channel')} indexed; lag ${status.lag?.blocks ?? '?'} blocks / ${status.lag?.seconds ?? '?'} s${leader}${errorLine}`
  if (status.lastError && status.phase !== 'not started' && status.phase !== 'stopped') {
    return {
      tone: 'bad',
      label: `Indexer: retrying at ${at}`,
      title: `${status.lastError.message}\n${detail}`,
    }
  }
  switch (status.phase) {
    case 'not started':
      return {
        tone: 'bad',
        label: 'Indexer: not started',
        title: 'No indexer has run against this chain yet.',
      }
    case 'stopped':
      return {
        tone: 'bad',
        label: `Indexer: stopped at ${at}`,
        title: `No heartbeat for a while.\n${detail}`,
      }
    case 'backfill': {
      const head = status.chainHead ? BigInt(status.chainHead.number) : 0n
      const from = status.factory ? BigInt(status.factory.block) : 0n
      const done = status.indexedHead ? BigInt(status.indexedHead.number) - from : 0n
      const total = head > from ? head - from : 1n
      const percent = Number((done * 1000n) / total) / 10
      return { tone: 'busy', label: `Indexer: catching up ${percent.toFixed(1)}%`, title: detail }
    }
    default:
      if (lagBlocks > 2n) return { tone: 'busy', label: `Indexer: ${lagBlocks} blocks behind`, title: detail }
      return { tone: 'ok', label: `Indexer: live ${at}`, title: detail }
  }
}

/** The indexer's phase and progress, from /api/status every 2 s; details on hover. */
export function IndexerBadge() {
  const { value, stale: unreachable } = usePolled<IndexerStatus>('/api/status')
  const status = value ?? null

  const { tone, label, title } = describeStatus(status, unreachable)
  return (
    <span
      className={`status status-${tone}`}
      title={title}
      data-testid="indexer-badge"
      data-phase={status?.phase}
    >
      {status === null && !unreachable ? 'Indexer: …' : label}
    </span>
  )
}
