import type { Address, PublicClient } from 'viem'
import { intermediaryV2Abi } from '../../../../contracts/generated'
import { channelStateFieldsV2, channelStateFromV2 } from '../../../admin/channelV2'
import type { ChannelState } from '../../../channel'

/**
 * A version 2 channel's state at one block, in v1's shape so that every rule on token IDs,
 * windows and phases serves both: `costPerRequest` is 0 (a v2 channel's prices are per
 * category and per token ID: ./priceTables). The wallet reads the same getters
 * (lib/admin/channelV2.ts).
 */
export async function readChannelStateV2({
  client,
  address,
  blockNumber,
}: {
  client: PublicClient
  address: Address
  blockNumber?: bigint
}): Promise<ChannelState> {
  const at = blockNumber ?? (await client.getBlockNumber({ cacheTime: 0 }))
  const values = await Promise.all(
    channelStateFieldsV2.map((functionName) =>
      client.readContract({ address, abi: intermediaryV2Abi, functionName, blockNumber: at }),
    ),
  )
  return channelStateFromV2({ address, values })
}
