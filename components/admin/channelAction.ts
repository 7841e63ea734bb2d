import type { ReactNode } from 'react'
import type { ContractFunctionName } from 'viem'
import type { intermediaryAbi, intermediaryV2Abi } from '@/contracts/generated'
import type { ChannelActionId, Role } from '@/lib/admin/actions'
import type { Parsed } from '@/lib/admin/amounts'
import type { AnnouncedTable } from '@/lib/admin/pricing'
import type { ChannelState } from '@/lib/channel'

/** The party whose group of cards shows an action. */
export type Side = 'consumer' | 'provider'

/** A version 2 channel's pricing, as the actions need it. */
export type ActionContextV2 = {
  /** Number of categories (the live read, else the indexed table's length). */
  categories: bigint
  names: string[]
  /** The announced tables the page knows (from the index), ascending by token ID. */
  tables: AnnouncedTable[]
}

/**
 * What every action reads: the channel's live state, the connected account's role, the chain,
 * and for a version 2 channel its pricing (null for version 1).
 */
export type ActionContext = { state: ChannelState; role: Role; chainId: number; v2: ActionContextV2 | null }

type Write = 'nonpayable' | 'payable'

/** The contract call an action makes on the channel (its address and ABI, by version, are added by the card). */
type ActionCall = {
  functionName:
    | ContractFunctionName<typeof intermediaryAbi, Write>
    | ContractFunctionName<typeof intermediaryV2Abi, Write>
  args?: readonly unknown[]
  value?: bigint
}

/**
 * An action's input: its initial form value, the field that edits it, and what the call takes
 * from it (or why the button stays disabled).
 */
export type ActionInput<V, P> = {
  /** The value the card starts with (from the channel when a function). */
  initial: V | ((ctx: ActionContext) => V)
  Field: (props: { ctx: ActionContext; value: V; onChange: (value: V) => void }) => ReactNode
  parse: (value: V, ctx: ActionContext) => Parsed<P>
}

/**
 * One row of the channel's action table: everything its card shows and does. Whether it is
 * enabled, and why not, is `lib/admin/actions.ts`'s availability of the same id (the contract's
 * own checks, in words); the card adds the input's own reason.
 */
export type ChannelAction<V = unknown, P = unknown> = {
  testId: string
  title: string
  /** Who may act: the other party sees the card disabled with the reason. */
  side: Side
  /** The contract versions that have it; absent: both. */
  versions?: readonly (1 | 2)[]
  availability: ChannelActionId
  submitLabel: string | ((ctx: ActionContext) => string)
  /** What it does, in words (a paragraph of class `action-text`). */
  description: (ctx: ActionContext) => ReactNode
  input?: ActionInput<V, P>
  call: (ctx: ActionContext, input: P) => ActionCall
}

/**
 * A row of the table, typed by its input; the table holds rows of different inputs, so the
 * input's types are checked here and then forgotten.
 * @example defineAction({ testId: 'action-close', ..., call: () => ({ functionName: 'terminate' }) })
 */
export function defineAction<V = undefined, P = undefined>(action: ChannelAction<V, P>): ChannelAction {
  return action as unknown as ChannelAction
}
