import { BadRequestError } from '../../../errors'
import type { ChannelRecord } from '../channels'

/**
 * The index of a v2 channel's category given by index or name (default: the first); a 400
 * `category_unknown` naming the channel's categories when it has no such one.
 */
export function resolveCategory(
  channel: Pick<ChannelRecord, 'address' | 'categories'>,
  category: number | string | undefined,
): number {
  if (category === undefined) return 0
  const index = typeof category === 'number' ? category : channel.categories.indexOf(category)
  if (Number.isInteger(index) && index >= 0 && index < channel.categories.length) return index
  throw new BadRequestError({
    code: 'category_unknown',
    message: `Channel ${channel.address} has no category ${JSON.stringify(category)}; its categories are ${channel.categories.map((name, i) => `${i} (${name})`).join(', ')}.`,
  })
}
