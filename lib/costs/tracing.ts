import type { AttributionBasis } from './attribution'

/**
 * How each basis of an attributed figure reads, in words, wherever it is shown (the service
 * page's loaded cost, the graph's tooltips): traced by origin tags (exact transitive tracing,
 * thesis 3.4) or estimated by request share.
 */
export const BASIS_TEXT: Record<AttributionBasis, string> = {
  exact: 'exact (traced)',
  estimate: 'estimated (by request share)',
  mixed: 'partly exact (traced), the rest estimated (by request share)',
}
