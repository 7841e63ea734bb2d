import { eventEntity } from '../../../columns/event'
import { sqlTable } from '../codec'

/** The `event` table in bulk writes. */
export const eventTable = sqlTable('event', eventEntity)
