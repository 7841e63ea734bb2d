import type { Address } from 'viem'
import {
  parseToken,
  recoverTokenSigner,
  type Token,
  TokenFormatError,
} from '../../packages/payment-client/src/token'
import type { ChannelState } from '../channel'
import { formatWei } from '../explorer/format'

export type CheckedToken = { ok: true; token: Token } | { ok: false; reason: string }

/**
 * Checks a token pasted in the wire format before it is used to complete a redemption, with the
 * contract's own conditions: this chain, this channel, the token ID under redemption, signed by
 * the consumer (canonical signature). Each refusal says which one failed.
 * @example await checkPastedToken({ text, chainId: 31337, state })
 */
export async function checkPastedToken({
  text,
  chainId,
  state,
}: {
  text: string
  chainId: number
  state: Pick<ChannelState, 'address' | 'consumer' | 'expiringTokenId'>
}): Promise<CheckedToken> {
  let parsed: ReturnType<typeof parseToken>
  try {
    parsed = parseToken(text)
  } catch (error) {
    if (error instanceof TokenFormatError) return { ok: false, reason: error.message }
    throw error
  }
  const { token } = parsed
  const misplaced = misplacedToken(parsed, chainId, state)
  if (misplaced) return { ok: false, reason: misplaced }
  const signer = await recoverTokenSigner({ chainId, token })
  if (!signer || signer.toLowerCase() !== (state.consumer as Address).toLowerCase()) {
    return { ok: false, reason: "The token is not signed by the channel's consumer." }
  }
  return { ok: true, token }
}

/**
 * Why a parsed token (either version) cannot complete this channel's redemption: another chain,
 * another channel, no redemption pending, or another token ID than the one under redemption;
 * null when it is in the right place.
 */
export function misplacedToken(
  parsed: { chainId: number; token: { channel: string; tokenId: bigint } },
  chainId: number,
  state: Pick<ChannelState, 'address' | 'expiringTokenId'>,
): string | null {
  const { token } = parsed
  if (parsed.chainId !== chainId)
    return `The token is for chain ${parsed.chainId}, not this chain (${chainId}).`
  if (token.channel.toLowerCase() !== state.address.toLowerCase())
    return `The token is for channel ${token.channel}, not this one.`
  if (state.expiringTokenId === 0n) return 'No redemption is pending on this channel.'
  if (token.tokenId !== state.expiringTokenId)
    return `The token is for token ID ${token.tokenId}, but token ID ${state.expiringTokenId} is under redemption.`
  return null
}

/**
 * What a redemption of `requests` pays: requests × price, capped at the consumer's funds as the
 * contract caps it, in words.
 * @example redemptionValue({ requests: 3n, state }) // { wei: 150000000000n, capped: false, text: '150 gwei' }
 */
export function redemptionValue({
  requests,
  state,
}: {
  requests: bigint
  state: Pick<ChannelState, 'costPerRequest' | 'consumerFunds'>
}): { wei: bigint; capped: boolean; text: string } {
  return cappedValue(requests * state.costPerRequest, state.consumerFunds)
}

/**
 * What a token worth `full` pays from `funds`: all of it, or all the funds when it is worth
 * more (the contract's cap, both versions), in words.
 */
export function cappedValue(full: bigint, funds: bigint): { wei: bigint; capped: boolean; text: string } {
  const capped = full > funds
  const wei = capped ? funds : full
  return {
    wei,
    capped,
    text: capped
      ? `${formatWei(wei)} (all the consumer's funds; the token is worth ${formatWei(full)})`
      : formatWei(wei),
  }
}
