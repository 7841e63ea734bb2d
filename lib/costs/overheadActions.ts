import { type Abi, type AbiFunction, toFunctionSelector } from 'viem'
import {
  intermediaryAbi,
  intermediaryFactoryAbi,
  intermediaryFactoryV2Abi,
  intermediaryV2Abi,
} from '../../contracts/generated'
import type { OverheadAction } from './overhead'

/**
 * Which action a channel's transaction is, from the function it calls (the input's selector,
 * which every call has, reverted or not) or, for a call that reached the channel through
 * another contract, from the first event it emitted there. Both contract versions' functions
 * are listed, so a v2 channel's cycle is sorted as well.
 */

const BY_FUNCTION: Record<string, OverheadAction> = {
  open: 'open',
  deposit: 'fund',
  startRedemption: 'redeem',
  startRedemptionWithPrices: 'redeem',
  redeem: 'redeem',
  redeemAndStartRedemption: 'redeem',
  withdraw: 'withdraw',
  startTermination: 'terminate',
  terminate: 'terminate',
}

const BY_EVENT: Record<string, OverheadAction> = {
  Deposited: 'fund',
  RedemptionStarted: 'redeem',
  Redeemed: 'redeem',
  Withdrawn: 'withdraw',
  TerminationStarted: 'terminate',
  Terminated: 'terminate',
}

/** Selector (0x + 8 lowercase hex) → action, for every state-changing function of both versions. */
export const ACTION_BY_SELECTOR: ReadonlyMap<string, OverheadAction> = new Map(
  [intermediaryAbi, intermediaryV2Abi, intermediaryFactoryAbi, intermediaryFactoryV2Abi].flatMap((abi) =>
    (abi as Abi)
      .filter((f): f is AbiFunction => f.type === 'function' && BY_FUNCTION[f.name] !== undefined)
      .map((f) => [toFunctionSelector(f), BY_FUNCTION[f.name] as OverheadAction] as const),
  ),
)

/** Event name → action, for calls made through another contract (no selector of ours). */
export const ACTION_BY_EVENT: Readonly<Record<string, OverheadAction>> = BY_EVENT
