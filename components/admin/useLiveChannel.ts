'use client'

import type { Address } from 'viem'
import { useBlock, useReadContracts } from 'wagmi'
import { intermediaryAbi } from '@/contracts/generated'
import { channelStateFields, channelStateFrom, channelStateFromJson } from '@/lib/channel'
import type { ChannelSummary } from '@/lib/explorer/api'

/**
 * The channel's state read from the chain at each new block (through the dashboard's RPC proxy),
 * with the latest block's time: what the contract will check a transaction against. Until the
 * first answer, the indexed state the page was rendered with (`channelStateFromJson`).
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
  const state = reads.data ? channelStateFrom({ address, values: reads.data }) : channelStateFromJson(summary)
  return {
    state,
    live: reads.data !== undefined,
    now: block.data?.timestamp ?? null,
    blockNumber: block.data?.number ?? null,
    error: reads.error ?? block.error ?? null,
  }
}
