import type { CostGraph } from '../../../costs/api'
import { costTable, toCsv } from '../../../costs/report'
import type { OperationExamples } from './index'
import { v } from './values'

const window = { preset: '24h', from: '2026-12-06T09:20:30.000Z', to: '2026-12-07T09:20:30.000Z', live: true }
const asOf = { block: '1850', time: '2026-12-07T09:20:30.000Z', finalBlock: '1838', finalityDepth: 12 }

/** 42 requests of shop to billing at the examples' price, redeemed once. */
const graph = {
  chainId: v.chainId,
  window,
  asOf,
  totals: {
    settled: '42000000000000',
    unconfirmed: '0',
    pending: '3000000000000',
    requests: '42',
    redemptions: 1,
    services: 2,
    channels: 1,
  },
  // With compare=previous: the 24 h before, when shop made 30 requests.
  comparison: {
    window: {
      preset: 'custom',
      from: '2026-12-05T09:20:30.000Z',
      to: '2026-12-06T09:20:30.000Z',
      live: false,
    },
    settled: '30000000000000',
    requests: '30',
    change: '12000000000000',
    movers: [
      {
        consumer: v.consumer,
        provider: v.provider,
        settled: '42000000000000',
        previous: '30000000000000',
        change: '12000000000000',
      },
    ],
  },
  nodes: [
    {
      address: v.consumer,
      name: 'shop',
      team: 'team-a',
      paid: '42000000000000',
      earned: '0',
      net: '-42000000000000',
      requestsMade: '42',
      requestsServed: '0',
      pendingPaid: '3000000000000',
      pendingEarned: '0',
    },
    {
      address: v.provider,
      name: 'billing',
      team: 'team-b',
      paid: '0',
      earned: '42000000000000',
      net: '42000000000000',
      requestsMade: '0',
      requestsServed: '42',
      pendingPaid: '0',
      pendingEarned: '3000000000000',
    },
  ],
  edges: [
    {
      consumer: v.consumer,
      provider: v.provider,
      settled: '42000000000000',
      unconfirmed: '0',
      requests: '42',
      redemptions: 1,
      priceMin: v.price,
      priceMax: v.price,
      pending: '3000000000000',
      channels: [
        {
          address: v.channel,
          price: v.price,
          settled: '42000000000000',
          requests: '42',
          pending: '3000000000000',
          terminated: false,
        },
      ],
    },
  ],
}

const fraction = { num: '1', den: '1', approx: 1 }
const label = (address: string, name: string, team: string, version: number) => ({
  address,
  name,
  team,
  version,
  source: 'edit',
  updatedBy: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
  updatedAt: '2026-12-07T09:31:05.412Z',
})
const signature = `0x${'5c'.repeat(32)}${'2e'.repeat(32)}1b`

/** The costs, labels, wallet helpers and system operations: one realistic answer each. */
export const otherExamples: Record<string, OperationExamples> = {
  getCostGraph: { '200': { summary: 'The last 24 hours: shop paid billing', value: graph } },
  getCostSeries: {
    '200': {
      summary: 'Hourly, one provider',
      value: {
        chainId: v.chainId,
        window,
        asOf,
        bucketSeconds: 3600,
        providers: [{ key: v.provider, address: v.provider, name: 'billing' }],
        points: [
          { bucket: '2026-12-07T08:00:00.000Z', values: { [v.provider]: '30000000000000' } },
          { bucket: '2026-12-07T09:00:00.000Z', values: { [v.provider]: '12000000000000' } },
        ],
      },
    },
  },
  getServiceCosts: {
    '200': {
      summary: 'shop: what it paid, to whom, and its channel',
      value: {
        chainId: v.chainId,
        window,
        asOf,
        service: graph.nodes[0],
        version: 1,
        loaded: {
          own: '42000000000000',
          attributed: '0',
          total: '42000000000000',
          direct: [
            {
              provider: v.provider,
              name: 'billing',
              amount: '42000000000000',
              requests: '42',
              shareOfIncoming: fraction,
            },
          ],
          parts: [],
        },
        callers: [],
        channels: [
          {
            address: v.channel,
            role: 'consumer',
            counterparty: v.provider,
            counterpartyName: 'billing',
            price: v.price,
            consumerFunds: '958000000000000',
            pending: '3000000000000',
            burnPerHour: '1750000000000',
            runwaySeconds: 1964571,
            terminated: false,
            terminatesAt: '0',
          },
        ],
        // With compare=previous: shop paid billing for 30 requests in the 24 h before.
        comparison: {
          window: graph.comparison.window,
          paid: { settled: '42000000000000', previous: '30000000000000', change: '12000000000000' },
          earned: { settled: '0', previous: '0', change: '0' },
          movers: graph.comparison.movers,
        },
      },
    },
  },
  getCostReport: {
    '200': { summary: 'By service', value: toCsv(costTable(graph as CostGraph, 'service')) },
  },
  listServiceLabels: {
    '200': {
      summary: 'Two labelled services',
      value: { labels: [label(v.consumer, 'shop', 'team-a', 1), label(v.provider, 'billing', 'team-b', 2)] },
    },
  },
  saveServiceLabel: {
    request: {
      summary: "Rename billing's label (an admin wallet's signature)",
      value: {
        address: v.provider,
        name: 'billing',
        team: 'team-b',
        version: 2,
        expiresAt: '1796290265',
        signature,
      },
    },
    '200': { summary: 'Saved as version 3', value: { label: label(v.provider, 'billing', 'team-b', 3) } },
  },
  getRedemptionToken: {
    request: {
      summary: "The provider asks for token ID 1's highest accepted count",
      value: { tokenId: '1', expiresAt: '1796290265', signature },
    },
    '200': {
      summary: 'Count 42 of token ID 1, not redeemed yet',
      value: {
        channel: v.channel,
        tokenId: '1',
        contractVersion: 1,
        requests: '42',
        prices: null,
        signature: v.token.split('.')[5],
        token: v.token,
        lastAcceptedAt: '2026-12-07T09:19:58.204Z',
        redeemedTx: null,
      },
    },
  },
  putCategoryNames: {
    request: {
      summary: "The consumer names a new v2 channel's two categories",
      value: { names: ['small', 'large'], expiresAt: '1796290265', signature },
    },
    '200': { summary: 'Recorded', value: { channel: v.channel, names: ['small', 'large'] } },
  },
  proxyRpc: {
    request: {
      summary: 'The head block number',
      value: { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] },
    },
    '200': { summary: 'Block 1850', value: { jsonrpc: '2.0', id: 1, result: '0x73a' } },
  },
  getHealth: {
    '200': {
      summary: 'Everything answers (a web server run alone)',
      value: {
        status: 'ok',
        time: '2026-12-07T09:20:31.118Z',
        database: { ok: true, latencyMs: 2 },
        chain: {
          ok: true,
          latencyMs: 3,
          chainId: v.chainId,
          headBlock: '1850',
          headTimestamp: '2026-12-07T09:20:30.000Z',
        },
        factory: { address: v.factory, deploymentBlock: '1' },
        paymentStaleState: null,
        stack: null,
      },
    },
  },
  getLiveness: { '200': { summary: 'The process answers', value: { live: true } } },
  getReadiness: {
    '200': {
      summary: 'Ready, every part running',
      value: {
        ready: true,
        degraded: false,
        reasons: [],
        parts: [
          { name: 'database', ready: true, state: 'migrated' },
          { name: 'indexer', ready: true, state: 'live' },
        ],
      },
    },
  },
  getIndexerStatus: {
    '200': {
      summary: 'Following the head, one block behind',
      value: {
        chainId: v.chainId,
        chainHead: { number: '1850', time: '2026-12-07T09:20:30.000Z' },
        indexedHead: { number: '1849', hash: v.blockHash, time: '2026-12-07T09:20:28.000Z' },
        lag: { blocks: '1', seconds: 2 },
        phase: 'live',
        eventsIndexed: '3127',
        channels: '14',
        reorgs: 0,
        resets: 0,
        lastError: null,
        updatedAt: '2026-12-07T09:20:30.412Z',
        factory: { address: v.factory, block: '1' },
        leader: {
          instance: 'vm-20561-edcac0',
          host: 'vm',
          pid: 20561,
          epoch: '1',
          since: '2026-12-07T09:02:11.710Z',
          heartbeatAgeSeconds: 0.4,
        },
        standbys: 0,
      },
    },
  },
  getOpenApiDocument: {
    '200': {
      summary: 'Its first lines',
      value: { openapi: '3.1.0', info: { title: 'Channel inspector explorer', version: '1.0.0' } },
    },
  },
}
