import { isAddress } from 'viem'
import { NotFoundError } from '../../errors'
import type { ServiceLabelView } from '../../services/api'
import { LABEL_NAME_RULE } from '../../services/labels'
import type { ServerContext } from '../context'

/**
 * The label store: reads of `service_label` (a name and a team per address) for the pages, the
 * explorer's and the costs' answers. Edits are in ./labelEdit.ts.
 */

type LabelRow = {
  address: string
  name: string
  team: string
  version: number
  source: string
  updatedBy: string | null
  updatedAt: Date
}

/** A stored label as the API answers it. */
export const labelView = (r: LabelRow): ServiceLabelView => ({
  address: r.address,
  name: r.name,
  team: r.team,
  version: r.version,
  source: r.source === 'edit' ? 'edit' : 'payment',
  updatedBy: r.updatedBy,
  updatedAt: r.updatedAt.toISOString(),
})

export type ServiceName = { name: string; team: string }

const TTL_MS = 5_000
const cache = new WeakMap<ServerContext['db'], { at: number; byAddress: Map<string, ServiceName> }>()

/**
 * Every label by lowercase address, cached 5 s per database (another instance's edit shows
 * within that time; this instance's own edits at once). Labels are not bound to a block: inside
 * a cost answer's snapshot they come from the shared database and its cache.
 */
export async function serviceNames(ctx: ServerContext): Promise<Map<string, ServiceName>> {
  const db = ctx.shared ?? ctx.db
  const hit = cache.get(db)
  if (hit && Date.now() - hit.at < TTL_MS) return hit.byAddress
  const rows = await db.serviceLabel.findMany({ select: { address: true, name: true, team: true } })
  const byAddress = new Map(rows.map((r) => [r.address, { name: r.name, team: r.team }]))
  cache.set(db, { at: Date.now(), byAddress })
  return byAddress
}

/** Drops {@link serviceNames}' cache of this database (after an edit, so it shows at once). */
export function forgetServiceNames(db: ServerContext['db']): void {
  cache.delete(db)
}

/** The address of a service by name (for search), or null. */
export async function serviceAddress(ctx: ServerContext, name: string): Promise<string | null> {
  const wanted = name.toLowerCase()
  for (const [address, service] of await serviceNames(ctx)) if (service.name === wanted) return address
  return null
}

/** All labels, by team then name. */
export async function listServiceLabels(ctx: ServerContext): Promise<ServiceLabelView[]> {
  const rows = await ctx.db.serviceLabel.findMany({ orderBy: [{ team: 'asc' }, { name: 'asc' }] })
  return rows.map(labelView)
}

/**
 * The label of a service by name or address; 404 `unknown_service` when there is none. What is
 * neither an address nor a possible label name (LABEL_NAME_RULE) is not looked up: the pages
 * pass their URL's segment as it comes, and Postgres refuses some text (U+0000) with an error.
 */
export async function findServiceLabel(ctx: ServerContext, nameOrAddress: string): Promise<ServiceLabelView> {
  const key = nameOrAddress.toLowerCase()
  const where = isAddress(key, { strict: false })
    ? { address: key }
    : LABEL_NAME_RULE.test(key)
      ? { name: key }
      : null
  const row = where && (await ctx.db.serviceLabel.findFirst({ where }))
  if (!row) {
    throw new NotFoundError({
      code: 'unknown_service',
      message: `No service is labelled ${JSON.stringify(nameOrAddress.slice(0, 60))}. Label its address on the Services page.`,
    })
  }
  return labelView(row)
}

/** Channel parties without a label (newest channels first), to offer labelling them. */
export async function unlabelledParties(ctx: ServerContext, limit = 50): Promise<string[]> {
  const rows = await ctx.db.$queryRaw<Array<{ address: string }>>`
    SELECT party AS address FROM (
      SELECT consumer AS party, max(opened_block) AS seen FROM channel GROUP BY consumer
      UNION ALL
      SELECT provider, max(opened_block) FROM channel GROUP BY provider
    ) p
    WHERE NOT EXISTS (SELECT 1 FROM service_label l WHERE l.address = p.party)
    GROUP BY party ORDER BY max(seen) DESC LIMIT ${limit}`
  return rows.map((r) => r.address)
}
