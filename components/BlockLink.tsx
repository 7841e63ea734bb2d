import Link from 'next/link'
import { formatNumber } from '@/lib/explorer/format'

/** '#1,234' linked to the block's page. */
export function BlockLink({ number, testId }: { number: string | null; testId?: string }) {
  if (number === null) return <span data-testid={testId}>—</span>
  return (
    <Link href={`/blocks/${number}`} prefetch={false} className="tabular" data-testid={testId}>
      #{formatNumber(number)}
    </Link>
  )
}
