import { type CallTarget, callTargetOf, describeCall } from '../../decode'
import type { ServerContext } from '../context'
import type { IndexedChain } from '../indexedChain'

/**
 * Which ABI a call to (or a log of) an address is decoded with: the factories' (v1 and v2) by
 * address, and known channels with their contract version.
 */
export type Targets = { factories: ReadonlyMap<string, 1 | 2>; channels: Map<string, number> }

/** The factories the index follows on `chain`, with their versions. */
export function factoriesOf(chain: Pick<IndexedChain, 'factory' | 'factoryV2'>): Map<string, 1 | 2> {
  const factories = new Map<string, 1 | 2>()
  if (chain.factory) factories.set(chain.factory, 1)
  if (chain.factoryV2) factories.set(chain.factoryV2, 2)
  return factories
}

export function targetOf(to: string | null, targets: Targets): CallTarget {
  return callTargetOf(to, targets.factories, (a) => targets.channels.get(a))
}

/** The method a call invokes: the function name where the ABI is known, else the selector. */
export function methodOf(input: string, target: CallTarget): string | null {
  if (input.length < 10) return null
  return describeCall(input as `0x${string}`, target)?.name ?? input.slice(0, 10).toLowerCase()
}

/** Known channels among `addresses` (one query), with the factories: what calls decode with. */
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
          select: { address: true, contractVersion: true },
        })
  return {
    factories: factoriesOf(chain),
    channels: new Map(rows.map((r) => [r.address, r.contractVersion])),
  }
}
