'use client'

import type { Address } from 'viem'
import type { Config } from 'wagmi'
import { signTypedData } from 'wagmi/actions'
import { categoryNamesTypedData } from '@/lib/admin/categoryNames'
import { TOKEN_REQUEST_MAX_TTL_SECONDS } from '@/lib/admin/tokenRequest'
import { describeWalletError } from '@/lib/admin/walletErrors'

/**
 * Records a new v2 channel's category names on this dashboard (PUT
 * /api/channels/{address}/categories), signed by the connected wallet (nothing goes to the
 * chain): null when recorded, else why not in a sentence.
 * @example await saveCategoryNames({ config, chainId, channel, names: ['small', 'large'] })
 */
export async function saveCategoryNames({
  config,
  chainId,
  channel,
  names,
}: {
  config: Config
  chainId: number
  channel: Address
  names: string[]
}): Promise<string | null> {
  try {
    const expiresAt = BigInt(Math.floor(Date.now() / 1000) + TOKEN_REQUEST_MAX_TTL_SECONDS - 60)
    const signature = await signTypedData(
      config,
      categoryNamesTypedData({ chainId, message: { channel, names, expiresAt } }),
    )
    const response = await fetch(`/api/channels/${channel}/categories`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ names, expiresAt: expiresAt.toString(), signature }),
    })
    if (response.ok) return null
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } }
    return body.error?.message ?? `The dashboard answered HTTP ${response.status}.`
  } catch (error) {
    return describeWalletError(error)
  }
}
