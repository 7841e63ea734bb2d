import type { Address, TypedDataDefinition } from 'viem'
import { ConflictError, ForbiddenError, UnauthorizedError } from '../../errors'
import type { LabelEditBody, ServiceLabelView } from '../../services/api'
import { LABEL_EDIT_MAX_TTL_SECONDS, labelEditTypedData } from '../../services/labels'
import type { ServerContext } from '../context'
import { env } from '../env'
import { hasBearerSecret } from '../http/auth'
import { verifySignedRequest } from '../http/signedRequest'
import { indexedChain } from '../indexedChain'
import { forgetServiceNames, labelView } from './labels'

/** Advisory lock key that serialises label edits (arbitrary constant, "labl"). */
const EDIT_LOCK_KEY = 0x6c61626c

/** Addresses allowed to sign label edits (LABEL_ADMINS, comma-separated). */
function labelAdmins(source = env().LABEL_ADMINS): Set<string> {
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
function authorizeEdit(
  ctx: ServerContext,
  request: Request,
  body: LabelEditBody,
  nowSeconds: bigint,
): Promise<string | null> {
  return authorizeAdminEdit({
    ctx,
    request,
    signature: body.signature,
    expiresAt: body.expiresAt,
    nowSeconds,
    typedData: ({ chainId, factory, expiresAt }) =>
      labelEditTypedData({
        chainId,
        factory,
        edit: {
          service: body.address,
          name: body.name,
          team: body.team,
          version: BigInt(body.version),
          expiresAt,
        },
      }),
  })
}

/**
 * The one authorisation of an admin's edit (labels, budgets and alerts): with `signature`, an
 * EIP-712 signature of `typedData` (bound to this chain and factory, expiring within 10
 * minutes) by an address in LABEL_ADMINS; without one, the team admin key as
 * `Authorization: Bearer`. Returns the signer's address, or null for the admin key; 400, 401
 * or 403 with a code and a sentence otherwise.
 */
export async function authorizeAdminEdit({
  ctx,
  request,
  signature,
  expiresAt,
  nowSeconds,
  typedData,
}: {
  ctx: ServerContext
  request: Request
  signature: string | undefined
  expiresAt: string | undefined
  nowSeconds: bigint
  typedData: (p: { chainId: number; factory: Address; expiresAt: bigint }) => TypedDataDefinition
}): Promise<string | null> {
  if (signature) {
    if (!expiresAt) {
      throw new ForbiddenError({ code: 'invalid_signature', message: 'A signed edit needs its expiresAt.' })
    }
    const admins = labelAdmins()
    const { signer } = await verifySignedRequest({
      expiresAt: BigInt(expiresAt),
      nowSeconds,
      maxTtlSeconds: LABEL_EDIT_MAX_TTL_SECONDS,
      signature,
      prepare: async () => {
        const chain = await indexedChain(ctx)
        if (!chain.factory) {
          throw new ForbiddenError({
            code: 'invalid_signature',
            message: 'No channel factory is known on this chain, so no signed edit can be checked.',
          })
        }
        return {
          typedData: typedData({
            chainId: chain.chainId,
            factory: chain.factory as Address,
            expiresAt: BigInt(expiresAt),
          }),
        }
      },
      allowed: (address) => admins.has(address),
      refusal: () =>
        new ForbiddenError({
          code: 'not_label_admin',
          message:
            admins.size === 0
              ? 'Admin edits are switched off: no LABEL_ADMINS are configured on this server.'
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
  body: LabelEditBody
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
  forgetServiceNames(ctx.db)
  return labelView(saved)
}
