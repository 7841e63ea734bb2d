import { type Abi, BaseError, ContractFunctionRevertedError, decodeErrorResult, type Hex } from 'viem'
import {
  intermediaryAbi,
  intermediaryFactoryAbi,
  intermediaryFactoryV2Abi,
  intermediaryV2Abi,
} from '../contracts/generated'
import { formatUtc } from './explorer/format'

/** Every custom error the project's contracts can revert with. */
export const contractErrorsAbi = [
  ...intermediaryAbi,
  ...intermediaryFactoryAbi,
  ...intermediaryV2Abi,
  ...intermediaryFactoryV2Abi,
].filter((item) => item.type === 'error') as Abi

type Explain = (args: readonly unknown[]) => string

/** A deadline in the pages' one date format: these sentences are shown beside their other times. */
const time = (value: unknown) => formatUtc(Number(value))

/** One sentence per contract error, for people (never a raw selector). */
const sentences: Record<string, Explain> = {
  NotConsumer: () => "Only the channel's consumer can do this.",
  NotProvider: () => "Only the channel's provider can do this.",
  NotParty: () => "Only the channel's consumer or provider can do this.",
  AlreadyTerminated: () => 'The channel has been terminated.',
  TerminationAlreadyStarted: () => 'Termination of this channel has already started.',
  TerminationNotStarted: () => 'Termination has not been started.',
  NotTerminated: () => 'The consumer can withdraw only after the channel has been terminated.',
  TerminationNotDue: ([at]) => `The consumer can terminate only after ${time(at)}.`,
  ZeroDeposit: () => 'A deposit must be more than 0 wei.',
  NoActiveToken: () => 'There is no active token to redeem: the last one is already in redemption.',
  RedemptionPending: ([id]) =>
    `Token ${String(id)} is already being redeemed; complete that redemption first.`,
  NoRedemptionPending: () => 'No redemption has been started.',
  RedemptionNotDue: ([at]) => `The token can be redeemed only after ${time(at)}.`,
  TokenIdUsed: ([id, last]) => `Token ID ${String(id)} is not new: it must be greater than ${String(last)}.`,
  InvalidSignature: () => "The token's signature is not the consumer's for this channel's expiring token.",
  NothingToWithdraw: () => 'There is nothing to withdraw.',
  TransferFailed: () => 'The recipient refused the payment.',
  InvalidProvider: () => 'The provider must be a non-zero address other than the consumer.',
  ZeroCostPerRequest: () => 'The price per request must be more than 0 wei.',
  InvalidRedemptionTimeout: ([max]) => `The redemption timeout must be between 1 and ${String(max)} seconds.`,
  TerminationTimeoutTooShort: ([min]) =>
    `The termination timeout must be at least ${String(min)} seconds (three times the redemption timeout).`,
  TerminationTimeoutTooLong: ([max]) => `The termination timeout must be at most ${String(max)} seconds.`,
  // Version 2 channels (IntermediaryV2: categories and price tables).
  InvalidConsumer: () => 'The consumer must be a non-zero address.',
  InvalidCategoryCount: ([given, max]) =>
    `A price table has 1 to ${String(max)} categories; this one has ${String(given)}.`,
  CategoryCountMismatch: ([expected, given]) =>
    `The channel has ${String(expected)} categories; ${String(given)} were given (one price or count per category).`,
  // The argument is the 0-based index; people count categories from 1, as the pages show them.
  ZeroPrice: ([category]) =>
    `The price of category ${BigInt(category as bigint) + 1n} must be more than 0 wei.`,
  FundsOverflow: () => 'The channel cannot hold that much: its funds must stay below 2^128 wei.',
  TooManyPriceChanges: () => 'The channel has changed its prices the most times it can (2^32 - 1).',
  WrongPrices: ([id]) =>
    `The token's price table is not the one announced for token ID ${String(id)}: a token is valued at its own ID's prices only.`,
}

export type DecodedContractError = { name: string; args: readonly unknown[]; message: string }

/**
 * The sentence for one of the contracts' errors, also used by the UI to say why an action is not
 * possible before anything is sent.
 * @example contractErrorSentence('NotProvider') // "Only the channel's provider can do this."
 */
export function contractErrorSentence(name: string, args: readonly unknown[] = []): string {
  const explain = sentences[name]
  return explain ? explain(args) : name
}

function explained(name: string, args: readonly unknown[]): DecodedContractError {
  return { name, args, message: contractErrorSentence(name, args) }
}

/** Decodes revert data of the project's contracts into a name, arguments and a sentence. */
export function decodeContractError(data: Hex): DecodedContractError | null {
  try {
    const { errorName, args } = decodeErrorResult({ abi: contractErrorsAbi, data })
    return explained(errorName, args ?? [])
  } catch {
    return null
  }
}

/** Finds a decoded contract error in anything viem throws (simulate, write, estimate). */
export function contractErrorOf(error: unknown): DecodedContractError | null {
  if (!(error instanceof BaseError)) return null
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
  if (reverted instanceof ContractFunctionRevertedError) {
    if (reverted.data?.errorName) return explained(reverted.data.errorName, reverted.data.args ?? [])
    if (reverted.raw) return decodeContractError(reverted.raw)
  }
  return null
}
