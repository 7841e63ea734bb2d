import type { Db } from '../db/client'
import { defaultNames } from './channelRecord'

/**
 * The names a Payment Server gives a v2 channel it did not open when it first meets it: those
 * a party recorded on the dashboard (lib/server/admin/categoryNames.ts, in `channel_category`), one per category, else "0", "1", ...
 * @example await givenNames({ db, chainId, channel, count: 2 }) // ['small', 'large']
 */
export async function givenNames({
  db,
  chainId,
  channel,
  count,
}: {
  db: Db
  chainId: number
  channel: string
  count: number
}): Promise<string[]> {
  const rows = await db.channelCategory.findMany({
    where: { chainId, channel },
    orderBy: { category: 'asc' },
  })
  return rows.length === count && rows.every((r, i) => r.category === i)
    ? rows.map((r) => r.name)
    : defaultNames(count)
}
