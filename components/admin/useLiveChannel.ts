'use client'

import type { Abi, Address } from 'viem'
import { useBlock, useReadContracts } from 'wagmi'
import { intermediaryAbi, intermediaryV2Abi } from '@/contracts/generated'
import { type LiveV2, liveFieldsV2, liveStateV2 } from '@/lib/admin/channelV2'
import { channelStateFields, channelStateFrom, channelStateFromJson } from '@/lib/channel'
import type { ChannelSummary } from '@/lib/explorer/api'

/**
 * The channel's state read from the chain at each new block (through the dashboard's RPC proxy),
 * with the latest block's time: what the contract will check a transaction against. Until the
 * first answer, the indexed state the page was rendered with (`channelStateFromJson`). A version
 * 2 channel is read with its own getters, plus its category count and price versions (`v2`;
 * null for version 1, and until the chain answers).
 */
export function useLiveChannel(summary: ChannelSummary) {
  const address = summary.address as Address
  const isV2 = Number(summary.contractVersion) === 2
  const block = useBlock({ watch: true })
  // One list of either version's reads; their results are decoded by version below.
  const contracts = (
    isV2
      ? liveFieldsV2.map((functionName) => ({ address, abi: intermediaryV2Abi, functionName }))
      : channelStateFields.map((functionName) => ({ address, abi: intermediaryAbi, functionName }))
  ) as readonly { address: Address; abi: Abi; functionName: string }[]
  const reads = useReadContracts({
    contracts,
    blockNumber: block.data?.number ?? undefined,
    allowFailure: false,
    query: { enabled: block.data !== undefined, placeholderData: (previous) => previous },
  })
  const values = reads.data as readonly unknown[] | undefined
  const live = values ? (isV2 ? liveStateV2({ address, values }) : null) : null
  const state = values
    ? (live?.state ?? channelStateFrom({ address, values }))
    : channelStateFromJson({ ...summary, costPerRequest: isV2 ? '0' : summary.costPerRequest })
  return {
    state,
    v2: (live?.v2 ?? null) as LiveV2 | null,
    live: values !== undefined,
    now: block.data?.timestamp ?? null,
    blockNumber: block.data?.number ?? null,
    error: reads.error ?? block.error ?? null,
  }
}
