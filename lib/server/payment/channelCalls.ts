import { intermediaryAbi, intermediaryV2Abi } from '../../../contracts/generated'
import type { ChannelRecord } from './channels'
import type { Service } from './services'
import type { ChannelCall } from './wallet'

/**
 * A channel function its parties call through the Payment Server. `startRedemption` and
 * `redeem` take v1's arguments on a v1 channel and v2's on a v2 one (no argument; the maximum
 * token's counts, prices and signature); the last two exist on v2 channels only.
 */
export type ChannelAction =
  | 'deposit'
  | 'startRedemption'
  | 'redeem'
  | 'withdraw'
  | 'startTermination'
  | 'terminate'
  | 'startRedemptionWithPrices'
  | 'redeemAndStartRedemption'

/** The wallet's call of `action` on `channel`, with the ABI of the channel's contract version. */
export const channelCall = (
  channel: ChannelRecord,
  service: Service,
  action: ChannelAction,
  args: readonly unknown[],
  value: bigint | undefined,
): ChannelCall => ({
  service,
  address: channel.address,
  abi: channel.contractVersion === 2 ? intermediaryV2Abi : intermediaryAbi,
  functionName: action,
  args,
  value,
  action,
  channel: channel.address,
})
