import { describe, expect, it } from 'vitest'
import { groupCostGraph } from '@/lib/costs/graphGroups'
import { layoutCostGraph } from '@/lib/costs/layout'
import { flowEdges } from './elements'
import type { CanvasPair, CanvasService } from './types'

/*
 * The cost graph's edge tooltips (flowEdges), pure: a pair whose channels have several request
 * categories lists each one's settled part under the pair's totals.
 */

const service = (id: string, name: string): CanvasService => ({
  id,
  name,
  team: null,
  paid: '0',
  earned: '0',
  pending: '0',
  href: `/services/${name}`,
})

/** The tooltip of the one edge between `public` and `validation` given `pair`'s extra fields. */
function tooltip(extra: Partial<CanvasPair>): string {
  const services = [service('0xa', 'public'), service('0xb', 'validation')]
  const pair: CanvasPair = {
    consumer: '0xa',
    provider: '0xb',
    settled: '49000',
    pending: '0',
    requests: '14',
    channel: '0xc',
    priceMin: '1000',
    priceMax: '5000',
    channels: 1,
    ...extra,
  }
  const graph = groupCostGraph({ services, pairs: [pair], expanded: 'all' })
  const layout = layoutCostGraph({
    nodes: graph.nodes.map((n) => ({ id: n.id, width: 80, height: 48 })),
    edges: graph.edges.map((e) => ({ id: e.id, from: e.from, to: e.to })),
    direction: 'LR',
  })
  const [edge] = flowEdges({
    graph,
    layout,
    byId: new Map(services.map((s) => [s.id, s])),
    pairs: [pair],
    focus: null,
    size: 'spend',
    live: false,
    labelAll: true,
    hovered: null,
    direction: 'LR',
    onExpand: () => {},
    unit: { unit: 'wei', fiat: null },
  })
  return edge?.data?.title ?? ''
}

describe('flowEdges()', () => {
  it("flowEdges() lists a pair's request categories in its edge's tooltip, each with its settled part and price", () => {
    const title = tooltip({
      categories: [
        { name: 'large', settled: '40000', requests: '8', priceMin: '5000', priceMax: '5000' },
        { name: 'small', settled: '9000', requests: '6', priceMin: '1000', priceMax: '2000' },
      ],
    })
    const lines = title.split('\n')
    expect(lines.filter((l) => l.startsWith('· '))).toEqual([
      '· large: 40,000 wei for 8 requests at 5,000 wei each',
      '· small: 9,000 wei for 6 requests at 1,000 wei–2,000 wei each',
    ])
    // A pair without categories has no such lines.
    expect(
      tooltip({})
        .split('\n')
        .some((l) => l.startsWith('· ')),
    ).toBe(false)
  })
})
