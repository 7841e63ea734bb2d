import { type Address, isAddress } from 'viem'
import { z } from 'zod'
import { labelNameSchema, labelTeamSchema } from './labels'

/**
 * The services API (`/api/services/labels`) and what the pages show of services: bodies as zod
 * schemas, giving the pages and the edit form their types and the OpenAPI document.
 * Client-safe.
 */

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

/**
 * The fields of a body signed by an admin wallet (EIP-712 `typeName`): the signature and when it
 * becomes void. Both optional: without them the admin key authorises the edit.
 */
export const adminSignatureFields = (typeName: string) => ({
  expiresAt: z
    .string()
    .regex(/^[1-9][0-9]{0,11}$/, 'must be a unix time in seconds')
    .optional()
    .meta({ description: 'With `signature`: unix time (s) after which it is void, at most 10 min ahead' }),
  signature: z
    .string()
    .regex(/^0x[0-9a-fA-F]{130}$/, 'must be a 65-byte hex signature')
    .optional()
    .meta({ description: `An admin wallet's EIP-712 signature of ${typeName} (see the description)` }),
})

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
    ...adminSignatureFields('ServiceLabel'),
  })
  .strict()
  .meta({ id: 'ServiceLabelEdit' })
export type LabelEditBody = z.output<typeof labelEditBody>

/** A service the Payment Server knows, offered as a provider when opening a channel. */
export type KnownService = { name: string; team: string; address: string; price: string | null }
