import { BaseError } from 'viem'
import { contractErrorOf } from '../contractErrors'
import { errorText } from '../errorText'

type Coded = { code?: unknown; name?: unknown }

/** A request the person refused in their wallet (EIP-1193 4001, or viem's error for it). */
const rejected = (e: Coded) => e.code === 4001 || e.name === 'UserRejectedRequestError'

function find(error: unknown, test: (e: Coded) => boolean): boolean {
  if (error instanceof BaseError) return error.walk((e) => test(e as Coded)) !== null
  let current: unknown = error
  for (let depth = 0; current && depth < 8; depth++) {
    if (test(current as Coded)) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/**
 * What went wrong with a wallet request or a transaction, in one sentence for a person: a
 * rejected signature, the contract's own reason (decoded custom error), too little ether, a
 * wallet on another chain or without an account; otherwise viem's short message.
 * @example describeWalletError(error) // "Only the channel's provider can do this."
 */
export function describeWalletError(error: unknown): string {
  if (find(error, rejected)) return 'You rejected the request in your wallet. Nothing was sent.'
  const reverted = contractErrorOf(error)
  if (reverted) return reverted.message
  if (find(error, (e) => e.name === 'InsufficientFundsError')) {
    return 'The account does not have enough ether for this amount plus gas.'
  }
  if (find(error, (e) => e.name === 'ChainMismatchError')) {
    return "Your wallet is on another chain than this dashboard's: switch chains first."
  }
  if (find(error, (e) => e.code === 4901)) {
    return "Your wallet is not connected to this dashboard's chain: switch chains first."
  }
  if (find(error, (e) => e.name === 'ProviderNotFoundError')) {
    return 'No browser wallet was found. Install one (MetaMask, Rabby…) or open this page in a wallet browser.'
  }
  if (
    find(error, (e) => e.name === 'ConnectorNotConnectedError' || e.name === 'ConnectorAccountNotFoundError')
  ) {
    return 'Connect your wallet first.'
  }
  if (find(error, (e) => e.code === -32002)) {
    return 'Your wallet already has a request waiting: open it and answer that first.'
  }
  if (error instanceof BaseError) return error.shortMessage
  // errorText() falls back to the class name for an error without any message: not a sentence.
  const text = error instanceof Error ? errorText(error) : ''
  return text && text !== (error as Error).name ? text : 'The request failed.'
}

/**
 * Why connecting a wallet failed, in one sentence: a declined connection (4001 on
 * `wallet_requestPermissions` or `eth_requestAccounts`) is said as such, not as a refused
 * transaction; anything else as {@link describeWalletError} says it.
 * @example describeConnectError(error) // "You declined the connection in your wallet: …"
 */
export function describeConnectError(error: unknown): string {
  if (find(error, rejected)) {
    return 'You declined the connection in your wallet: nothing was shared. Connect again when you want to.'
  }
  return describeWalletError(error)
}
