import type { Label, Labels } from '../../explorer/api'
import { shortAddress } from '../../explorer/format'
import type { ServerContext } from '../context'
import { serviceNames } from './labels'

/** What {@link labelsFor} needs to know of the chain an answer is about. */
export type LabelledChain = { chainId: number; factory: string | null; factoryV2?: string | null }

/**
 * Names for the addresses an answer mentions: services (name and team), the channel factory,
 * and channels ("alice → charlie" from their parties' names, else shortened addresses).
 */
export async function labelsFor(
  ctx: ServerContext,
  view: LabelledChain,
  addresses: Iterable<string | null | undefined>,
): Promise<Labels> {
  const wanted = [...new Set([...addresses].filter((a): a is string => !!a).map((a) => a.toLowerCase()))]
  const labels: Labels = {}
  if (wanted.length === 0) return labels
  const [byAddress, channels] = await Promise.all([
    serviceNames(ctx),
    ctx.db.channel.findMany({
      where: { chainId: view.chainId, address: { in: wanted } },
      select: { address: true, consumer: true, provider: true },
    }),
  ])
  const nameOf = (a: string) => byAddress.get(a)?.name ?? shortAddress(a)
  for (const address of wanted) {
    const service = byAddress.get(address)
    if (service) labels[address] = { address, name: service.name, team: service.team, kind: 'service' }
    else if (address === view.factory) {
      labels[address] = { address, name: 'channel factory', team: null, kind: 'factory' }
    } else if (address === view.factoryV2) {
      labels[address] = { address, name: 'channel factory v2', team: null, kind: 'factory' }
    }
  }
  for (const c of channels) {
    const label: Label = {
      address: c.address,
      name: `channel ${nameOf(c.consumer)} → ${nameOf(c.provider)}`,
      team: null,
      kind: 'channel',
    }
    labels[c.address] = label
  }
  return labels
}
