import { Amount } from '@/components/Amount'
import type { AttributionBasis as Basis } from '@/lib/costs/attribution'
import { BASIS_TEXT } from '@/lib/costs/tracing'

/**
 * How an attributed figure of the fully loaded cost was found: traced by origin tags (exact
 * transitive tracing, thesis 3.4), estimated by request share, or both; a mixed one says how
 * much of it is traced.
 */
export function AttributionBasis({ basis, traced }: { basis: Basis; traced: string }) {
  return (
    <span
      className={`basis basis-${basis}`}
      data-testid="attribution-basis"
      data-basis={basis}
      data-traced={traced}
    >
      {basis === 'mixed' ? (
        <>
          <Amount wei={traced} /> exact (traced), the rest estimated (by request share)
        </>
      ) : (
        BASIS_TEXT[basis]
      )}
    </span>
  )
}
