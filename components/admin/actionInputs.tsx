'use client'

import { parseAmount } from '@/lib/admin/amounts'
import { contractErrorSentence } from '@/lib/contractErrors'
import { AmountInput, type AmountValue } from './AmountInput'
import type { ActionInput } from './channelAction'
import { type RedeemInput, RedeemTokenPicker } from './RedeemTokenPicker'

/** The ether a deposit sends: a positive amount in ETH, gwei or wei. */
export const depositAmount: ActionInput<AmountValue, bigint> = {
  initial: { text: '', unit: 'ETH' },
  Field: ({ value, onChange }) => (
    <AmountInput id="deposit-amount" label="Amount" value={value} onChange={onChange} testId="deposit" />
  ),
  parse: (value) => {
    const wei = parseAmount(value.text, value.unit)
    if (wei.ok && wei.value === 0n) return { ok: false, reason: contractErrorSentence('ZeroDeposit') }
    return wei
  },
}

/**
 * The consumer's token that completes a redemption (requests and signature), picked while a
 * redemption is pending and the provider is connected.
 */
export const redeemToken: ActionInput<RedeemInput, NonNullable<RedeemInput>> = {
  initial: null,
  Field: ({ ctx, onChange }) =>
    ctx.state.expiringTokenId !== 0n && ctx.role === 'provider' ? (
      <RedeemTokenPicker state={ctx.state} chainId={ctx.chainId} onChange={onChange} />
    ) : null,
  parse: (value) => (value ? { ok: true, value } : { ok: false, reason: 'Choose the token to redeem.' }),
}
