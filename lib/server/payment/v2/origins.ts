import { type Address, isAddress } from 'viem'
import { BadRequestError } from '../../../errors'
import type { ChannelRecord } from '../channelRecord'
import type { ServiceRegistry } from '../services'

/*
 * Exact transitive tracing (thesis 3.4): a version 2 channel's category may name the origin
 * consumer its requests are made for (charlie → dave, category `alice`: what charlie asks of
 * dave for alice's requests). The channel keeps each category's origin as a lowercase address
 * (`payment_channel.category_origins`, mirrored into `channel_category.origin` for the costs).
 */

/**
 * The address of an origin given as an address (any: the origin may be a service of another
 * team's server) or as a service name of this server; 400 `origin_unknown` for a name no
 * service has.
 *
 * @example await originAddress(services, 'alice') // '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'
 */
export async function originAddress(
  services: Pick<ServiceRegistry, 'byName'>,
  origin: string,
): Promise<Address> {
  if (isAddress(origin, { strict: false })) return origin.toLowerCase() as Address
  const service = await services.byName(origin)
  if (service) return service.address.toLowerCase() as Address
  throw new BadRequestError({
    code: 'origin_unknown',
    message: `No service is named ${origin}: an origin is a service name of this server or an address.`,
  })
}

/**
 * The origins of a channel's categories as the open gives them (`prices[i].origin`), as
 * addresses in the categories' order (null where a category traces none), or undefined when
 * none names one. 400 `origin_unknown` (see {@link originAddress}) or `origin_duplicate` (two
 * categories trace the same consumer: a request for it could be counted in either).
 */
export async function categoryOrigins(
  services: Pick<ServiceRegistry, 'byName'>,
  categories: ReadonlyArray<{ name: string; origin?: string }>,
): Promise<Array<Address | null> | undefined> {
  if (!categories.some((c) => c.origin !== undefined)) return undefined
  const origins = await Promise.all(
    categories.map((c) => (c.origin === undefined ? null : originAddress(services, c.origin))),
  )
  const seen = new Map<string, string>()
  categories.forEach((c, i) => {
    const address = origins[i]
    if (!address) return
    const other = seen.get(address)
    if (other !== undefined) {
      throw new BadRequestError({
        code: 'origin_duplicate',
        message: `Categories ${other} and ${c.name} both trace origin ${address}: each origin is counted in one category.`,
      })
    }
    seen.set(address, c.name)
  })
  return origins
}

/**
 * The index of the channel's category that traces `origin` (an address); 400
 * `category_unknown` naming the origins the channel traces when it has no such category.
 * `given` is the origin as the caller wrote it, for the message.
 */
export function categoryOfOrigin(
  channel: Pick<ChannelRecord, 'address' | 'categories' | 'origins' | 'contractVersion'>,
  origin: Address,
  given: string,
): number {
  const index = channel.origins.indexOf(origin)
  if (index >= 0) return index
  const traced = channel.origins.flatMap((o, i) => (o ? [`${channel.categories[i]} (${o})`] : []))
  throw new BadRequestError({
    code: 'category_unknown',
    message:
      channel.contractVersion !== 2
        ? `Channel ${channel.address} is a version 1 channel: it has no categories, so it traces no origin (${given}).`
        : `Channel ${channel.address} has no category for origin ${given}${given === origin ? '' : ` (${origin})`}; ${traced.length === 0 ? 'it traces no origin' : `it traces ${traced.join(', ')}`}.`,
    hints: [
      'Open a channel whose prices name this origin (prices[i].origin), or send the request without origin.',
    ],
  })
}
