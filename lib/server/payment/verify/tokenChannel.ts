import type { ChannelRecord, ChannelRegistry } from '../channels'
import type { PaymentMetrics } from '../metrics'
import { serviceLimitKey } from '../rateLimit'
import type { Service } from '../services'
import { type Refused, refuse } from './verifyOutcome'

/** What {@link channelOfToken} reads: the verifier's own chain, channels, look-up allowance and metrics. */
export type TokenChannelDeps = {
  chainId: number
  channels: ChannelRegistry
  metrics: PaymentMetrics
  /** Takes one look-up of a channel this process does not hold: 0 when allowed, else seconds to wait. */
  lookups: (key: string) => number
}

/**
 * The checks both versions' verifiers make first, once parsed: the token is for this chain,
 * its channel is one of this Payment Server's, and the caller is its provider. A channel not
 * held here costs a statement and a node call to look up, and junk tokens name a fresh one
 * each, so a service key gets a bounded number of such look-ups.
 */
export async function channelOfToken(
  { chainId, channels, metrics, lookups }: TokenChannelDeps,
  service: Service,
  token: { chainId: number; channel: string },
): Promise<ChannelRecord | Refused> {
  if (token.chainId !== chainId) {
    return refuse(
      'wrong_chain',
      `The token is for chain ${token.chainId}; this Payment Server is on chain ${chainId}.`,
    )
  }
  if (!channels.isKnown(token.channel)) {
    const wait = lookups(serviceLimitKey(service.id))
    if (wait > 0) {
      metrics.rateLimited.inc({ limit: 'lookups' })
      return {
        ...refuse(
          'rate_limited',
          `Service ${service.name} presented too many tokens of channels it had not used here before; this one was not looked up (retry in ${wait} s).`,
          429,
        ),
        retryAfterSeconds: wait,
      }
    }
  }
  const channel = await channels.find(token.channel)
  if (!channel) {
    return refuse(
      'channel_unknown',
      `${token.channel} is not a channel of this Payment Server's factories and services.`,
    )
  }
  if (channel.providerServiceId !== service.id) {
    return refuse(
      'forbidden',
      `Service ${service.name} is not the provider of channel ${channel.address}.`,
      403,
    )
  }
  return channel
}

/** Whether {@link channelOfToken} refused. */
export const isRefused = (found: ChannelRecord | Refused): found is Refused =>
  (found as Refused).accepted === false
