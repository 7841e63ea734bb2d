import { type Address, isAddress } from 'viem'
import { channelPhase } from '../../channel'
import { bigintOf } from '../../columns/kinds'
import { countsFromJson, type StoredCounts } from '../../counter'
import { BadRequestError, NotFoundError } from '../../errors'
import type { ChannelRecord } from './channels'
import type { IssuedTokens } from './issue/issuer'
import { serviceName } from './schemas'
import type { PaymentServer } from './server'
import type { Service } from './services'
import { channelV2Json } from './v2/channelView'
import type { VerifyOutcome } from './verify/verifyOutcome'
import type { SentTransaction } from './wallet'

/** JSON of a service (no secret). */
export function serviceJson(s: Service) {
  return {
    name: s.name,
    team: s.team,
    address: s.address,
    keySource: s.keySource,
    keyEnv: s.keyEnv,
    price: s.price?.toString() ?? null,
    apiKeyPrefix: s.apiKeyPrefix,
    createdAt: s.createdAt.toISOString(),
  }
}

export function transactionJson(action: string, sent: SentTransaction) {
  return { action, transactionHash: sent.hash, blockNumber: sent.receipt.blockNumber.toString() }
}

/** JSON of issued tokens (`tokenSchema`). */
export const tokensJson = (issued: IssuedTokens) => ({ ...issued, tokenId: issued.tokenId.toString() })

/** JSON of one verify outcome: accepted with its value, or the refusal's code and sentence. */
export const outcomeJson = (o: VerifyOutcome) =>
  o.accepted
    ? {
        accepted: true,
        channel: o.channel,
        tokenId: o.tokenId.toString(),
        requests: o.requests.toString(),
        value: o.value.toString(),
        ...(o.category === undefined ? {} : { category: o.category }),
        ...(o.consumer === undefined ? {} : { consumer: o.consumer }),
      }
    : { accepted: false, error: { code: o.code, message: o.message } }

/** A provider given as a service name of this server or as an address. */
export async function resolveProvider(
  server: PaymentServer,
  provider: string,
): Promise<{ address: Address; service: Service | null }> {
  if (isAddress(provider, { strict: false })) {
    const address = provider.toLowerCase() as Address
    return { address, service: await server.services.byAddress(address) }
  }
  if (!serviceName.safeParse(provider).success) {
    throw new BadRequestError({
      code: 'invalid_request',
      message: 'provider must be a service name or a 0x address.',
    })
  }
  const service = await server.services.byName(provider)
  if (!service)
    throw new NotFoundError({ code: 'service_unknown', message: `No service is named ${provider}.` })
  return { address: service.address, service }
}

/** A channel as the API shows it: terms, state on chain, and what this server issued and accepted. */
export async function channelJson(server: PaymentServer, channel: ChannelRecord) {
  const { chainId, db } = server
  const [snapshot, issued, accepted, row, consumer, provider] = await Promise.all([
    server.channelStates.get(channel.address),
    db.paymentIssued.findMany({
      where: { chainId, channel: channel.address },
      orderBy: { tokenId: 'desc' },
      take: 5,
    }),
    db.paymentAccepted.findMany({
      where: { chainId, channel: channel.address },
      orderBy: { tokenId: 'desc' },
      take: 5,
    }),
    db.paymentChannel.findUnique({ where: { chainId_address: { chainId, address: channel.address } } }),
    channel.consumerServiceId === null ? null : server.services.byId(channel.consumerServiceId),
    channel.providerServiceId === null ? null : server.services.byId(channel.providerServiceId),
  ])
  const { state } = snapshot
  const open = new Set([state.activeTokenId, state.expiringTokenId].filter((id) => id !== 0n))
  return {
    chainId,
    address: channel.address,
    consumer: { address: channel.consumer, service: consumer?.name ?? null },
    provider: { address: channel.provider, service: provider?.name ?? null },
    costPerRequest: channel.costPerRequest.toString(),
    redemptionTimeout: channel.redemptionTimeout.toString(),
    terminationTimeout: channel.terminationTimeout.toString(),
    autoFund: channel.autoFund
      ? { threshold: channel.autoFund.threshold.toString(), amount: channel.autoFund.amount.toString() }
      : null,
    chain: {
      phase: channelPhase(state),
      consumerFunds: state.consumerFunds.toString(),
      providerFunds: state.providerFunds.toString(),
      activeTokenId: state.activeTokenId.toString(),
      expiringTokenId: state.expiringTokenId.toString(),
      redeemableAt: state.redeemableAt.toString(),
      lastTokenId: state.lastTokenId.toString(),
      terminatesAt: state.terminatesAt.toString(),
      terminated: state.terminated,
      blockNumber: snapshot.blockNumber.toString(),
    },
    server: {
      issued: issued.map((r) => ({ tokenId: r.tokenId.toFixed(), requests: r.requests.toFixed() })),
      accepted: accepted.map((r) => {
        const tokenId = bigintOf(r.tokenId)
        const highest = bigintOf(r.highest)
        const pending = r.redeemedAt === null && open.has(tokenId)
        return {
          tokenId: tokenId.toString(),
          highest: highest.toString(),
          accepted: r.accepted.toFixed(),
          missingRanges: countsFromJson(r.counts as StoredCounts).missing.length,
          pendingValue: pending ? (highest * channel.costPerRequest).toString() : '0',
          closed: r.closedAt !== null,
          redeemedTx: r.redeemedTx,
          redeemedAmount: r.redeemedAmount?.toFixed() ?? null,
        }
      }),
      lastError: row?.lastError ?? null,
      retryAt: row?.retryAt?.toISOString() ?? null,
    },
    v2: await channelV2Json(server, channel, state),
  }
}
