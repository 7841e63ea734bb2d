import Link from 'next/link'
import { shortHash } from '@/lib/explorer/format'

type Target = { kind: 'tx'; hash: string } | { kind: 'block'; hash: string; number: string }

/**
 * A transaction or block hash, shortened unless `full`, linked to its page (blocks by number);
 * the full hash is in the title.
 * @example <HashLink kind="tx" hash={tx.hash} />
 */
export function HashLink(props: Target & { full?: boolean; testId?: string }) {
  const { hash, full = false, testId } = props
  const href = props.kind === 'tx' ? `/tx/${hash}` : `/blocks/${props.number}`
  return (
    <Link
      href={href}
      prefetch={false}
      title={hash}
      className={full ? 'mono break' : 'mono'}
      data-testid={testId}
    >
      {full ? hash : shortHash(hash)}
    </Link>
  )
}
