import type { KnownService } from '../../services/api'
import type { ServerContext } from '../context'

/**
 * The services the Payment Server registered, by name, offered as providers when opening a
 * channel (public labels: the explorer shows them on every address).
 */
export async function knownServices(ctx: ServerContext): Promise<KnownService[]> {
  const rows = await ctx.db.paymentService.findMany({
    select: { name: true, team: true, address: true, price: true },
    orderBy: { name: 'asc' },
  })
  return rows.map((r) => ({
    name: r.name,
    team: r.team,
    address: r.address.toLowerCase(),
    price: r.price?.toFixed() ?? null,
  }))
}
