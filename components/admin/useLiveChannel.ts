'use client'

import type { Address } from 'viem'
import { useBlock, useReadContracts } from 'wagmi'
import { intermediaryAbi } from '@/contracts/generated'
import { type ChannelState, channelStateFields, channelStateFrom } from '@/lib/channel'
import type { ChannelSummary } from '@/lib/explorer/api'

/** A channel's state from the index, as the server rendered it (the fallback until the chain answers). */
export function stateFromSummary(c: ChannelSummary): ChannelState {
  return {
    address: c.address as Address,
    consumer: c.consumer as Address,
    provider: c.provider as Address,
    costPerRequest: BigInt(c.costPerRequest),
    redemptionTimeout: BigInt(c.redemptionTimeout),
    terminationTimeout: BigInt(c.terminationTimeout),
    consumerFunds: BigInt(c.consumerFunds),
    providerFunds: BigInt(c.providerFunds),
    activeTokenId: BigInt(c.activeTokenId),
    expiringTokenId: BigInt(c.expiringTokenId),
    redeemableAt: BigInt(c.redeemableAt),
    lastTokenId: BigInt(c.lastTokenId),
    terminatesAt: BigInt(c.terminatesAt),
    terminated: c.terminated,
  }
}

/**
 * The channel's state read from the chain at each new block (through the dashboard's RPC proxy),
 * with the latest block's time: what the contract will check a transaction against. Until the
 * first answer, the indexed state the page was rendered with.
 */
export function useLiveChannel(summary: ChannelSummary) {
  const address = summary.address as Address
  const block = useBlock({ watch: true })
  const reads = useReadContracts({
    contracts: channelStateFields.map((functionName) => ({ address, abi: intermediaryAbi, functionName })),
    blockNumber: block.data?.number ?? undefined,
    allowFailure: false,
    query: { enabled: block.data !== undefined, placeholderData: (previous) => previous },
  })
  const state = reads.data ? channelStateFrom({ address, values: reads.data }) : stateFromSummary(summary)
  return {
    state,
    live: reads.data !== undefined,
    now: block.data?.timestamp ?? null,
    blockNumber: block.data?.number ?? null,
    error: reads.error ?? block.error ?? null,
  }
}
