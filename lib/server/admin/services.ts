import type { ExplorerContext } from '../explorer/shared'

/** A service the Payment Server knows, offered as a provider when opening a channel. */
export type KnownService = { name: string; team: string; address: string; price: string | null }

/** The registered services by name (public labels: the explorer shows them on every address). */
export async function knownServices(ctx: ExplorerContext): Promise<KnownService[]> {
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
