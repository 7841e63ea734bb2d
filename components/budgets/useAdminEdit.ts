'use client'

import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { useAccount, useConfig } from 'wagmi'
import { signTypedData } from 'wagmi/actions'
import { describeWalletError } from '@/lib/admin/walletErrors'
import type { BudgetEdit } from '@/lib/budgets/api'
import { budgetEditTypedData } from '@/lib/budgets/edit'
import { LABEL_EDIT_MAX_TTL_SECONDS } from '@/lib/services/labels'
import { useWalletChain } from '../wallet/WalletProvider'

/** What saving an edit came to: done (the page reloads its data), or why not, in words. */
export type EditOutcome = { ok: true } | { ok: false; problem: string }

/**
 * Saves a budgets edit as a label edit is saved: with the team admin key when one is typed
 * (`Authorization: Bearer`), else signed by the connected wallet (EIP-712 BudgetEdit, 10
 * minutes), which the server checks is a label admin's. Refreshes the page's data on success.
 */
export function useAdminEdit(adminKey: string) {
  const router = useRouter()
  const config = useConfig()
  const chain = useWalletChain()
  const { isConnected } = useAccount()
  const [busy, setBusy] = useState(false)

  async function save(edit: BudgetEdit): Promise<EditOutcome> {
    setBusy(true)
    try {
      let body: Record<string, unknown> = { edit }
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (adminKey.trim() !== '') headers.authorization = `Bearer ${adminKey.trim()}`
      else {
        if (!chain?.factory)
          return { ok: false, problem: "Signing needs the chain's channel factory, which is not known yet." }
        if (!isConnected)
          return { ok: false, problem: 'Connect a label admin wallet (top right), or type the admin key.' }
        const expiresAt = BigInt(Math.floor(Date.now() / 1000) + LABEL_EDIT_MAX_TTL_SECONDS - 30)
        const signature = await signTypedData(
          config,
          budgetEditTypedData({ chainId: chain.id, factory: chain.factory, edit, expiresAt }),
        )
        body = { edit, expiresAt: expiresAt.toString(), signature }
      }
      const response = await fetch('/api/budgets/edits', {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      })
      const answer = (await response.json().catch(() => null)) as { error?: { message: string } } | null
      if (!response.ok)
        return { ok: false, problem: answer?.error?.message ?? `The server answered ${response.status}.` }
      router.refresh()
      return { ok: true }
    } catch (error) {
      return { ok: false, problem: describeWalletError(error) }
    } finally {
      setBusy(false)
    }
  }
  return { save, busy }
}
