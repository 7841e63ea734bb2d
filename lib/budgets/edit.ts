import type { Address } from 'viem'
import { TOKEN_REQUEST_DOMAIN_NAME, TOKEN_REQUEST_DOMAIN_VERSION } from '../admin/tokenRequest'
import type { BudgetEdit } from './api'

/**
 * The signed edit of budgets, webhooks and alert rules: an admin's wallet signs, as for a
 * service label (lib/services/labels.ts), EIP-712 `BudgetEdit(string action, string edit,
 * uint256 expiresAt)` under the same domain (this chain and factory), where `edit` is the
 * edit's canonical JSON (keys sorted), so the wallet shows exactly what it approves and the
 * server checks the very body it stores. Client-safe.
 */

export const budgetEditTypes = {
  BudgetEdit: [
    { name: 'action', type: 'string' },
    { name: 'edit', type: 'string' },
    { name: 'expiresAt', type: 'uint256' },
  ],
} as const

/** JSON with every object's keys sorted: one text per edit, whoever builds it. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * The typed data an admin's wallet signs (and the server verifies) for one edit.
 * @example signTypedData(budgetEditTypedData({ chainId, factory, edit, expiresAt }))
 */
export function budgetEditTypedData({
  chainId,
  factory,
  edit,
  expiresAt,
}: {
  chainId: number
  factory: Address
  edit: BudgetEdit
  expiresAt: bigint
}) {
  return {
    domain: {
      name: TOKEN_REQUEST_DOMAIN_NAME,
      version: TOKEN_REQUEST_DOMAIN_VERSION,
      chainId,
      verifyingContract: factory,
    },
    types: budgetEditTypes,
    primaryType: 'BudgetEdit' as const,
    message: { action: edit.action, edit: canonicalJson(edit), expiresAt },
  }
}
