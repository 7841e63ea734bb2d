import type { Address, Hex } from 'viem'
import { TokenFormatError } from '../../packages/payment-client/src/token'
import {
  isTokenV2Wire,
  parseTokenV2,
  recoverTokenV2Signer,
  tokenV2Value,
} from '../../packages/payment-client/src/tokenV2'
import type { ChannelState } from '../channel'
import { contractErrorSentence } from '../contractErrors'
import { cappedValue, misplacedToken } from './redeemToken'

/** The arguments of a version 2 `redeem` (and `redeemAndStartRedemption`): empty arrays and `0x` close without a token. */
export type RedeemArgsV2 = { requests: bigint[]; prices: bigint[]; signature: Hex }

/** Closes a pending redemption for which no valid token exists (nothing paid). */
export const closeWithoutTokenV2: RedeemArgsV2 = { requests: [], prices: [], signature: '0x' }

/**
 * Checks a version 2 token pasted in the wire format (`v2.<chainId>.<channel>.<tokenId>...`)
 * before it completes a redemption, with the contract's conditions: this chain and channel, the
 * token ID under redemption, one count per category of the channel, the price table of that
 * token ID (when the page knows it: `expiringPrices`; the contract checks it against its hash
 * anyway), signed by the consumer (canonical signature). Each refusal says which one failed.
 * @example await checkPastedTokenV2({ text, chainId: 31337, state, categories: 2n, expiringPrices: [1000n, 5000n] })
 */
export async function checkPastedTokenV2({
  text,
  chainId,
  state,
  categories,
  expiringPrices,
}: {
  text: string
  chainId: number
  state: Pick<ChannelState, 'address' | 'consumer' | 'expiringTokenId'>
  categories: bigint
  expiringPrices: readonly bigint[] | null
}): Promise<{ ok: true; value: RedeemArgsV2 } | { ok: false; reason: string }> {
  if (!isTokenV2Wire(text)) {
    return { ok: false, reason: 'This is a version 2 channel: its tokens read v2.<chainId>.<channel>...' }
  }
  let parsed: ReturnType<typeof parseTokenV2>
  try {
    parsed = parseTokenV2(text)
  } catch (error) {
    if (error instanceof TokenFormatError) return { ok: false, reason: error.message }
    throw error
  }
  const { token } = parsed
  const misplaced = misplacedToken(parsed, chainId, state)
  if (misplaced) return { ok: false, reason: misplaced }
  if (BigInt(token.requests.length) !== categories) {
    return {
      ok: false,
      reason: contractErrorSentence('CategoryCountMismatch', [categories, BigInt(token.requests.length)]),
    }
  }
  if (expiringPrices && !token.prices.every((p, i) => p === expiringPrices[i])) {
    return { ok: false, reason: contractErrorSentence('WrongPrices', [token.tokenId]) }
  }
  const signer = await recoverTokenV2Signer({ chainId, token })
  if (!signer || signer.toLowerCase() !== (state.consumer as Address).toLowerCase()) {
    return { ok: false, reason: "The token is not signed by the channel's consumer." }
  }
  return {
    ok: true,
    value: { requests: [...token.requests], prices: [...token.prices], signature: token.signature },
  }
}

/**
 * What a version 2 redemption pays: the counts' value at the token ID's prices, capped at the
 * consumer's funds as the contract caps it, in words (0 when closing without a token).
 * @example redemptionValueV2({ token: { requests: [3n, 1n], prices: [1000n, 5000n] }, consumerFunds: 10n ** 18n }).wei // 8000n
 */
export function redemptionValueV2({
  token,
  consumerFunds,
}: {
  token: Pick<RedeemArgsV2, 'requests' | 'prices'>
  consumerFunds: bigint
}): { wei: bigint; capped: boolean; text: string } {
  return cappedValue(tokenV2Value(token.requests, token.prices), consumerFunds)
}
