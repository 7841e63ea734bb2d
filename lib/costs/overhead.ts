import { z } from 'zod'
import { asOfSchema, costWindowSchema } from './api'

/**
 * What the payment system itself costs (`GET /api/costs/overhead`): the gas fees paid for
 * opening, funding, redeeming, withdrawing and terminating channels, by the team and service
 * that paid them, against the value the channels settled in the same window. Client-safe.
 * Amounts are wei as decimal strings, exact.
 */

/** The actions a channel's transactions are sorted into; `other` is anything else sent to one. */
export const OVERHEAD_ACTIONS = ['open', 'fund', 'redeem', 'withdraw', 'terminate', 'other'] as const
export type OverheadAction = (typeof OVERHEAD_ACTIONS)[number]

/** What each action covers, for column titles and the API's description. */
export const ACTION_TITLES: Record<OverheadAction, string> = {
  open: 'Opening',
  fund: 'Funding',
  redeem: 'Redeeming',
  withdraw: 'Withdrawing',
  terminate: 'Terminating',
  other: 'Other',
}

const wei = (description: string) =>
  z.string().meta({ description: `${description} (wei, decimal string)`, example: '52013000000000' })

const gasByAction = z
  .object({
    open: wei("Opening: the factory's open"),
    fund: wei('Funding: deposit'),
    redeem: wei('Redeeming: startRedemption and redeem'),
    withdraw: wei('Withdrawing: withdraw'),
    terminate: wei('Terminating: startTermination and terminate'),
    other: wei('Any other transaction sent to a channel or the factory'),
  })
  .meta({
    id: 'GasByAction',
    description:
      'Fees paid (gas used × effective gas price) per action. Reverted transactions count: their gas was paid.',
  })

const figures = {
  fees: gasByAction,
  total: wei('All fees paid'),
  gasUsed: z.string().meta({ description: 'Gas used, all transactions (decimal string)' }),
  transactions: z.number().int(),
  settled: wei(
    'Value moved: settled (Redeemed) in the window in the channels it is a party to, each channel once',
  ),
  ratio: z.number().nullable().meta({
    description:
      'Overhead ratio: total ÷ settled, for display (the exact figures are beside it); null when nothing was settled',
  }),
}

export const overheadServiceSchema = z
  .object({
    address: z.string().meta({ description: 'Service account (0x-hex, lowercase)' }),
    name: z.string().nullable(),
    team: z.string().nullable(),
    ...figures,
  })
  .meta({ id: 'OverheadService' })
export type OverheadService = z.infer<typeof overheadServiceSchema>

export const overheadTeamSchema = z
  .object({
    team: z.string().meta({ description: 'Team of the paying services; `(no team)` for unlabelled ones' }),
    ...figures,
    services: z.array(overheadServiceSchema),
  })
  .meta({ id: 'OverheadTeam' })
export type OverheadTeam = z.infer<typeof overheadTeamSchema>

export const overheadChannelSchema = z
  .object({
    address: z.string(),
    consumer: z.string(),
    provider: z.string(),
    ...figures,
    outside: wei('Of the total, paid by an address that is neither a party nor a labelled service'),
  })
  .meta({ id: 'OverheadChannel' })
export type OverheadChannel = z.infer<typeof overheadChannelSchema>

export const costOverheadSchema = z
  .object({
    chainId: z.number().int(),
    window: costWindowSchema,
    asOf: asOfSchema,
    totals: z.object({
      ...figures,
      outside: wei(
        "Fees of transactions to the channels or the factory paid by an address that is neither the channel's party nor a labelled service (a stranger's call): in the totals, in no team",
      ),
    }),
    teams: z.array(overheadTeamSchema).meta({ description: 'Most fees first' }),
    channels: z.array(overheadChannelSchema).meta({ description: 'The 100 channels with most fees' }),
    channelCount: z.number().int().meta({ description: 'Channels with fees or settled value in the window' }),
  })
  .meta({ id: 'CostOverhead' })
export type CostOverhead = z.infer<typeof costOverheadSchema>
export type OverheadFigures = Pick<OverheadService, keyof typeof figures>

/** The figures' ratio for display: fees ÷ settled to 12 significant digits, null without value. */
export function overheadRatio(fees: bigint, settled: bigint): number | null {
  if (settled === 0n) return null
  // Scaled in bigint first: both can exceed 2^53.
  const scale = 10n ** 12n
  return Number((fees * scale) / settled) / 1e12
}

const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumSignificantDigits: 3 })
const times = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 })

/**
 * A ratio for reading, to 3 significant digits: a percentage below 1 ('0.8%', '12.5%'), a
 * multiple from 1 on ('4.86×', '66,400×': gas that outweighs the value moved reads as a
 * multiple, not as '6,640,000%'); '—' for none.
 */
export const formatRatio = (ratio: number | null): string =>
  ratio === null ? '—' : ratio < 1 ? percent.format(ratio) : `${times.format(ratio)}×`
