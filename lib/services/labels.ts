import type { Address } from 'viem'
import { z } from 'zod'
import { TOKEN_REQUEST_DOMAIN_NAME, TOKEN_REQUEST_DOMAIN_VERSION } from '../admin/tokenRequest'

/**
 * Service labels: a name and a team for an address, shown wherever the address appears.
 * Client-safe: the edit form and the server share the rules and the signed message.
 *
 * An edit is signed by an admin's wallet (EIP-712, `ServiceLabel`), bound to this chain and
 * factory, valid for at most 10 minutes, and names the label version it replaces (0 for a new
 * label), so a signature cannot be replayed over a later edit.
 */

export const LABEL_NAME_RULE = /^[a-z][a-z0-9-]{0,39}$/
export const LABEL_TEAM_RULE = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$/
export const LABEL_NAME_HINT = '1-40 characters: lowercase letters, digits and dashes, starting with a letter'
export const LABEL_TEAM_HINT = '1-40 characters: letters, digits, spaces, dots, dashes and underscores'
/** The longest a signed edit may stay valid (seconds). */
export const LABEL_EDIT_MAX_TTL_SECONDS = 600

export const labelNameSchema = z.string().regex(LABEL_NAME_RULE, `name: ${LABEL_NAME_HINT}`)
export const labelTeamSchema = z.string().regex(LABEL_TEAM_RULE, `team: ${LABEL_TEAM_HINT}`)

export const labelEditTypes = {
  ServiceLabel: [
    { name: 'service', type: 'address' },
    { name: 'name', type: 'string' },
    { name: 'team', type: 'string' },
    { name: 'version', type: 'uint256' },
    { name: 'expiresAt', type: 'uint256' },
  ],
} as const

export type LabelEdit = { service: Address; name: string; team: string; version: bigint; expiresAt: bigint }

/** The typed data an admin's wallet signs (and the server verifies) for one edit. */
export function labelEditTypedData({
  chainId,
  factory,
  edit,
}: {
  chainId: number
  factory: Address
  edit: LabelEdit
}) {
  return {
    domain: {
      name: TOKEN_REQUEST_DOMAIN_NAME,
      version: TOKEN_REQUEST_DOMAIN_VERSION,
      chainId,
      verifyingContract: factory,
    },
    types: labelEditTypes,
    primaryType: 'ServiceLabel' as const,
    message: edit,
  }
}
