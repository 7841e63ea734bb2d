import { describeCall } from '../../decode'
import type { ServerContext } from '../context'
import type { IndexedChain } from '../indexedChain'

/** Which ABI a call to `to` is decoded with: the factory's, a channel's, or none. */
export type Targets = { factory: string | null; channels: Set<string> }

export function targetOf(to: string | null, targets: Targets): 'factory' | 'channel' | null {
  if (!to) return null
  const a = to.toLowerCase()
  if (a === targets.factory) return 'factory'
  return targets.channels.has(a) ? 'channel' : null
}

/** The method a call invokes: the function name where the ABI is known, else the selector. */
export function methodOf(input: string, target: 'factory' | 'channel' | null): string | null {
  if (input.length < 10) return null
  return describeCall(input as `0x${string}`, target)?.name ?? input.slice(0, 10).toLowerCase()
}

/** Known channels among `addresses` (one query), with the factory: what calls decode with. */
export async function targetsFor(
  ctx: ServerContext,
  chain: IndexedChain,
  addresses: Iterable<string | null>,
): Promise<Targets> {
  const wanted = [...new Set([...addresses].filter((a): a is string => !!a).map((a) => a.toLowerCase()))]
  const rows =
    wanted.length === 0
      ? []
      : await ctx.db.channel.findMany({
          where: { chainId: chain.chainId, address: { in: wanted } },
          select: { address: true },
        })
  return { factory: chain.factory, channels: new Set(rows.map((r) => r.address)) }
}
