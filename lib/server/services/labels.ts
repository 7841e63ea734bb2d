import { type Address, isAddress } from 'viem'
import { z } from 'zod'
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from '../../errors'
import {
  LABEL_EDIT_MAX_TTL_SECONDS,
  labelEditTypedData,
  labelNameSchema,
  labelTeamSchema,
} from '../../services/labels'
import type { ServerContext } from '../context'
import { env } from '../env'
import { chainView } from '../explorer/shared'
import { hasBearerSecret } from '../http/auth'
import { verifySignedRequest } from '../http/signedRequest'

/** A labelled address as the API answers it. */
export const serviceLabelSchema = z
  .object({
    address: z.string().meta({ description: 'The service account (0x-hex, lowercase)' }),
    name: z.string(),
    team: z.string(),
    version: z.number().int().meta({ description: 'Edits so far; an edit names the version it replaces' }),
    source: z.enum(['payment', 'edit']).meta({
      description: '`payment`: from a Payment Server service; `edit`: set by an admin',
    }),
    updatedBy: z.string().nullable().meta({ description: 'Admin address that signed the last edit' }),
    updatedAt: z.string().meta({ description: 'ISO-8601, UTC' }),
  })
  .meta({ id: 'ServiceLabel' })
export type ServiceLabelView = z.infer<typeof serviceLabelSchema>

/** Body of POST /api/services/labels. */
export const labelEditBody = z
  .object({
    address: z
      .string()
      .refine((v) => isAddress(v, { strict: false }), 'must be a 0x-prefixed 20-byte hex address')
      .transform((v) => v.toLowerCase() as Address),
    name: labelNameSchema,
    team: labelTeamSchema,
    version: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .meta({ description: 'The version this edit replaces (0 for an address without a label)' }),
    expiresAt: z
      .string()
      .regex(/^[1-9][0-9]{0,11}$/, 'must be a unix time in seconds')
      .optional()
      .meta({ description: 'With `signature`: unix time (s) after which it is void, at most 10 min ahead' }),
    signature: z
      .string()
      .regex(/^0x[0-9a-fA-F]{130}$/, 'must be a 65-byte hex signature')
      .optional()
      .meta({ description: "An admin wallet's EIP-712 signature of ServiceLabel (see the description)" }),
  })
  .strict()
  .meta({ id: 'ServiceLabelEdit' })

type LabelRow = {
  address: string
  name: string
  team: string
  version: number
  source: string
  updatedBy: string | null
  updatedAt: Date
}

const view = (r: LabelRow): ServiceLabelView => ({
  address: r.address,
  name: r.name,
  team: r.team,
  version: r.version,
  source: r.source === 'edit' ? 'edit' : 'payment',
  updatedBy: r.updatedBy,
  updatedAt: r.updatedAt.toISOString(),
})

export type ServiceName = { name: string; team: string }

/** Advisory lock key that serialises label edits (arbitrary constant, "labl"). */
const EDIT_LOCK_KEY = 0x6c61626c

const TTL_MS = 5_000
const cache = new WeakMap<ServerContext['db'], { at: number; byAddress: Map<string, ServiceName> }>()

/**
 * Every label by lowercase address, cached 5 s per database (another instance's edit shows
 * within that time; this instance's own edits at once).
 */
export async function serviceNames(ctx: ServerContext): Promise<Map<string, ServiceName>> {
  const hit = cache.get(ctx.db)
  if (hit && Date.now() - hit.at < TTL_MS) return hit.byAddress
  const rows = await ctx.db.serviceLabel.findMany({ select: { address: true, name: true, team: true } })
  const byAddress = new Map(rows.map((r) => [r.address, { name: r.name, team: r.team }]))
  cache.set(ctx.db, { at: Date.now(), byAddress })
  return byAddress
}

/** All labels, by team then name. */
export async function listServiceLabels(ctx: ServerContext): Promise<ServiceLabelView[]> {
  const rows = await ctx.db.serviceLabel.findMany({ orderBy: [{ team: 'asc' }, { name: 'asc' }] })
  return rows.map(view)
}

/** The label of a service by name or address; 404 `unknown_service` when there is none. */
export async function findServiceLabel(ctx: ServerContext, nameOrAddress: string): Promise<ServiceLabelView> {
  const key = nameOrAddress.toLowerCase()
  const row = await ctx.db.serviceLabel.findFirst({
    where: isAddress(key, { strict: false }) ? { address: key } : { name: key },
  })
  if (!row) {
    throw new NotFoundError({
      code: 'unknown_service',
      message: `No service is labelled "${nameOrAddress.slice(0, 60)}". Label its address on the Services page.`,
    })
  }
  return view(row)
}

/** Addresses allowed to sign label edits (LABEL_ADMINS, comma-separated). */
export function labelAdmins(source = env().LABEL_ADMINS): Set<string> {
  return new Set(
    (source ?? '')
      .split(',')
      .map((a) => a.trim().toLowerCase())
      .filter((a) => a !== ''),
  )
}

/**
 * Who may edit: an admin wallet's signature over the edit (the UI), or the team admin key as
 * `Authorization: Bearer` (scripts). Returns the signer's address, or null for the admin key.
 */
async function authorizeEdit(
  ctx: ServerContext,
  request: Request,
  body: z.output<typeof labelEditBody>,
  nowSeconds: bigint,
): Promise<string | null> {
  if (body.signature) {
    if (!body.expiresAt) {
      throw new ForbiddenError({ code: 'invalid_signature', message: 'A signed edit needs its expiresAt.' })
    }
    const admins = labelAdmins()
    const { signer } = await verifySignedRequest({
      expiresAt: BigInt(body.expiresAt),
      nowSeconds,
      maxTtlSeconds: LABEL_EDIT_MAX_TTL_SECONDS,
      signature: body.signature,
      prepare: async () => {
        const chain = await chainView(ctx)
        if (!chain.factory) {
          throw new ForbiddenError({
            code: 'invalid_signature',
            message: 'No channel factory is known on this chain, so no signed edit can be checked.',
          })
        }
        const edit = {
          service: body.address,
          name: body.name,
          team: body.team,
          version: BigInt(body.version),
          expiresAt: BigInt(body.expiresAt as string),
        }
        return {
          typedData: labelEditTypedData({ chainId: chain.chainId, factory: chain.factory as Address, edit }),
        }
      },
      allowed: (address) => admins.has(address),
      refusal: () =>
        new ForbiddenError({
          code: 'not_label_admin',
          message:
            admins.size === 0
              ? 'Label edits are switched off: no LABEL_ADMINS are configured on this server.'
              : 'The edit is not signed by a label admin (LABEL_ADMINS): connect an admin wallet.',
        }),
    })
    return signer
  }
  if (hasBearerSecret(request, env().PAYMENT_ADMIN_KEY)) return null
  throw new UnauthorizedError({
    code: 'unauthorized',
    message:
      "Sign the edit with an admin wallet, or send the team admin key as 'Authorization: Bearer <key>'.",
  })
}

/**
 * Creates or changes the label of an address. The edit names the version it replaces: 409
 * `version_conflict` when somebody changed it since, 409 `name_taken` when another address has
 * the name. Nothing changes on any refusal.
 */
export async function saveServiceLabel({
  ctx,
  request,
  body,
  nowSeconds = BigInt(Math.floor(Date.now() / 1000)),
}: {
  ctx: ServerContext
  request: Request
  body: z.output<typeof labelEditBody>
  nowSeconds?: bigint
}): Promise<ServiceLabelView> {
  const signer = await authorizeEdit(ctx, request, body, nowSeconds)
  const saved = await ctx.db
    .$transaction(async (tx) => {
      // One edit at a time across every instance (edits are rare): a row lock cannot guard a
      // label that does not exist yet, nor a name that two edits want at once.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EDIT_LOCK_KEY}::bigint)`
      const current = await tx.$queryRaw<Array<{ version: number; name: string }>>`
      SELECT version, name FROM service_label WHERE address = ${body.address}`
      const version = current[0]?.version ?? 0
      if (body.version === 0 && current[0]) {
        throw new ConflictError({
          code: 'version_conflict',
          message: `${body.address} is already labelled "${current[0].name}"; edit that label on its service page.`,
        })
      }
      if (version !== body.version) {
        throw new ConflictError({
          code: 'version_conflict',
          message: `The label changed since you loaded it (it is at version ${version}, the edit replaces ${body.version}). Reload and edit again.`,
        })
      }
      const owner = await tx.serviceLabel.findUnique({
        where: { name: body.name },
        select: { address: true },
      })
      if (owner && owner.address !== body.address) {
        throw new ConflictError({
          code: 'name_taken',
          message: `The name "${body.name}" already labels ${owner.address}; pick another.`,
        })
      }
      const data = {
        name: body.name,
        team: body.team,
        source: 'edit',
        updatedBy: signer,
        updatedAt: new Date(),
      }
      return tx.serviceLabel.upsert({
        where: { address: body.address },
        create: { address: body.address, ...data },
        update: { ...data, version: { increment: 1 } },
      })
    })
    .catch((error: unknown) => {
      // A Payment Server registering a service writes labels without this lock (its trigger).
      if ((error as { code?: string }).code === 'P2002') {
        throw new ConflictError({
          code: 'name_taken',
          message: `The name "${body.name}" or the address was labelled at the same moment; reload and try again.`,
        })
      }
      throw error
    })
  cache.delete(ctx.db)
  return view(saved)
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
