import type { DeliveryView } from '../../budgets/api'
import type { ServerContext } from '../context'

/** Most deliveries a history answer lists. */
export const HISTORY_LIMIT = 200

/** The alert history: every delivery, newest first (at most {@link HISTORY_LIMIT}). */
export async function listDeliveries(ctx: ServerContext): Promise<DeliveryView[]> {
  const rows = await ctx.db.alertDelivery.findMany({
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: HISTORY_LIMIT,
  })
  return rows.map((r) => ({
    id: r.id.toString(),
    rule: r.ruleName,
    crossing: r.crossing,
    summary: r.summary,
    status: r.status as DeliveryView['status'],
    attempts: r.attempts,
    lastError: r.lastError,
    createdAt: r.createdAt.toISOString(),
    sentAt: r.sentAt?.toISOString() ?? null,
  }))
}
