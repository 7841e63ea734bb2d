import type { Address, PublicClient } from 'viem'
import { intermediaryV2Abi } from '../../../../contracts/generated'
import { type ChannelState, channelStateFields, channelStateFrom } from '../../../channel'

/** v1's getters that an IntermediaryV2 has too (all but `costPerRequest`: prices are per category). */
const v2Fields = channelStateFields.filter((f) => f !== 'costPerRequest')

/**
 * A version 2 channel's state at one block, in v1's shape so that every rule on token IDs,
 * windows and phases serves both: `costPerRequest` is 0 (a v2 channel's prices are per
 * category and per token ID: ./priceTables).
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
  const read = await Promise.all(
    v2Fields.map((functionName) =>
      client.readContract({ address, abi: intermediaryV2Abi, functionName, blockNumber: at }),
    ),
  )
  const values = channelStateFields.map((f) => (f === 'costPerRequest' ? 0n : read[v2Fields.indexOf(f)]))
  return channelStateFrom({ address, values })
}
