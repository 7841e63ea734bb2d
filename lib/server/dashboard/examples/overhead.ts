import {
  type CostOverhead,
  OVERHEAD_ACTIONS,
  type OverheadAction,
  overheadRatio,
} from '../../../costs/overhead'
import type { OperationExamples } from './index'
import { v } from './values'

/**
 * The overhead's example: in the last 24 hours shop funded its channel once and billing redeemed
 * the 42 requests (startRedemption, redeem), at 1.2 gwei per gas.
 */

const GAS_PRICE = 1_200_000_000n
const figures = (gas: Partial<Record<OverheadAction, bigint>>, transactions: number, settled: bigint) => {
  const fees = Object.fromEntries(
    OVERHEAD_ACTIONS.map((a) => [a, ((gas[a] ?? 0n) * GAS_PRICE).toString()]),
  ) as Record<OverheadAction, string>
  const gasUsed = Object.values(gas).reduce((s, g) => s + g, 0n)
  return {
    fees,
    total: (gasUsed * GAS_PRICE).toString(),
    gasUsed: gasUsed.toString(),
    transactions,
    settled: settled.toString(),
    ratio: overheadRatio(gasUsed * GAS_PRICE, settled),
  }
}
const settled = 42_000_000_000_000n
const shop = figures({ fund: 28_000n }, 1, settled)
const billing = figures({ redeem: 142_000n }, 2, settled)
const all = figures({ fund: 28_000n, redeem: 142_000n }, 3, settled)

const overhead: CostOverhead = {
  chainId: v.chainId,
  window: { preset: '24h', from: '2026-12-06T09:20:30.000Z', to: '2026-12-07T09:20:30.000Z', live: true },
  asOf: { block: '1850', time: '2026-12-07T09:20:30.000Z', finalBlock: '1838', finalityDepth: 12 },
  totals: { ...all, outside: '0' },
  teams: [
    {
      team: 'team-b',
      ...billing,
      services: [{ address: v.provider, name: 'billing', team: 'team-b', ...billing }],
    },
    { team: 'team-a', ...shop, services: [{ address: v.consumer, name: 'shop', team: 'team-a', ...shop }] },
  ],
  channels: [{ address: v.channel, consumer: v.consumer, provider: v.provider, ...all, outside: '0' }],
  channelCount: 1,
}

/** GET /api/costs/overhead's example. */
export const overheadExamples: Record<string, OperationExamples> = {
  getCostOverhead: {
    '200': {
      summary: 'The last 24 hours: a deposit and a redemption against 42 requests settled',
      value: overhead,
    },
  },
}
