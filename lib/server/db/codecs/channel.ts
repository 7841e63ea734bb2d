import { channelPhase } from '../../../channel'
import {
  channelColumns,
  channelEntity,
  channelFixedColumns,
  channelSummaryEntity,
} from '../../../columns/channel'
import type { ChannelSummary } from '../../../explorer/api'
import { sqlName, sqlTable } from '../codec'
import type { Channel } from '../generated/client'

/** The `channel` table in bulk writes. */
export const channelTable = sqlTable('channel', channelEntity)

/** SQL names of the columns an event can change (all but the terms): what an upsert updates. */
export const channelChanging = Object.keys(channelColumns)
  .filter((field) => !(channelFixedColumns as readonly string[]).includes(field))
  .map(sqlName)

/** A stored channel as the explorer's JSON API shows it, with its phase. */
export function channelFromRow(row: Channel): ChannelSummary {
  const channel = channelSummaryEntity.decode(row)
  return { ...channelSummaryEntity.toJson(channel), phase: channelPhase(channel) }
}
