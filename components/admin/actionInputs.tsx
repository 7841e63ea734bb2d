'use client'

import { parseAmount } from '@/lib/admin/amounts'
import { newPricesProblem } from '@/lib/admin/priceTable'
import { tableOf } from '@/lib/admin/pricing'
import { contractErrorSentence } from '@/lib/contractErrors'
import { AmountInput, type AmountValue } from './AmountInput'
import type { ActionInput } from './channelAction'
import { type RedeemInput, type RedeemToken, RedeemTokenPicker } from './RedeemTokenPicker'

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
 * The consumer's token that completes a redemption (v1: its count and signature; v2: counts per
 * category, the ID's prices and signature), picked while a redemption is pending and the
 * provider is connected; on a v2 channel, optionally with the next redemption's start.
 */
export const redeemToken: ActionInput<RedeemInput, { token: RedeemToken; andStart: boolean }> = {
  initial: { token: null, andStart: false },
  Field: ({ ctx, onChange }) =>
    ctx.state.expiringTokenId !== 0n && ctx.role === 'provider' ? (
      <RedeemTokenPicker state={ctx.state} chainId={ctx.chainId} v2={ctx.v2} onChange={onChange} />
    ) : null,
  parse: ({ token, andStart }, ctx) => {
    if (!token) return { ok: false, reason: 'Choose the token to redeem.' }
    // redeemAndStartRedemption starts a redemption of the active ID once redeemed: there must be one.
    if (andStart && ctx.state.activeTokenId === 0n) {
      return { ok: false, reason: contractErrorSentence('NoActiveToken') }
    }
    return { ok: true, value: { token, andStart } }
  },
}

/** A new price table as typed: one amount per category of the channel. */
export type NewPricesValue = AmountValue[]

/**
 * The price table `startRedemptionWithPrices` announces for the next token ID: one exact
 * amount per category, starting from the current prices (in wei), checked as the contract
 * checks it (one price per category, none 0) before anything is sent.
 */
export const newPrices: ActionInput<NewPricesValue, bigint[]> = {
  initial: ({ v2, state }) => {
    const current = v2 ? tableOf(v2.tables, state.activeTokenId) : null
    const n = Number(v2?.categories ?? 0n)
    return Array.from({ length: n }, (_, i) => ({ text: current?.prices[i] ?? '', unit: 'wei' as const }))
  },
  Field: ({ ctx, value, onChange }) => (
    <div className="new-prices" data-testid="new-prices">
      {value.map((price, i) => (
        <AmountInput
          // biome-ignore lint/suspicious/noArrayIndexKey: one field per category, in the channel's order
          key={i}
          id={`new-price-${i}`}
          label={`New price of ${ctx.v2?.names[i] ?? `category ${i + 1}`}`}
          value={price}
          onChange={(v) => onChange(value.map((p, j) => (j === i ? v : p)))}
          testId={`new-price-${i}`}
        />
      ))}
    </div>
  ),
  parse: (value, ctx) => {
    const prices: bigint[] = []
    for (const [i, price] of value.entries()) {
      const wei = parseAmount(price.text, price.unit)
      if (!wei.ok) return { ok: false, reason: `Category ${i + 1}: ${wei.reason}` }
      prices.push(wei.value)
    }
    const problem = newPricesProblem(prices, ctx.v2?.categories ?? 0n)
    return problem ? { ok: false, reason: problem } : { ok: true, value: prices }
  },
}
