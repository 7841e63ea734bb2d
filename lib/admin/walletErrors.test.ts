import {
  type Address,
  BaseError,
  ChainMismatchError,
  InsufficientFundsError,
  parseEther,
  UserRejectedRequestError,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { intermediaryAbi } from '../../contracts/generated'
import { type ChannelTestbed, startChannelTestbed } from '../../test/kit/testbed'
import { formatUtc } from '../explorer/format'
import { describeConnectError, describeWalletError } from './walletErrors'

/*
 * describeWalletError on what viem and wallets really throw: errors built the way viem builds
 * them, plain objects as injected wallets reject with, and errors from calls simulated against
 * a real anvil.
 */

const REJECTED = 'You rejected the request in your wallet. Nothing was sent.'

/** What `promise` rejects with (the test fails when it resolves). */
async function thrown(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`)
    },
    (error: unknown) => error,
  )
}

describe('describeWalletError without a chain', () => {
  it('describeWalletError() recognises a viem UserRejectedRequestError, also wrapped', () => {
    const rejected = new UserRejectedRequestError(new Error('User denied transaction signature.'))
    expect(describeWalletError(rejected)).toBe(REJECTED)
    expect(describeWalletError(new BaseError('Transaction failed.', { cause: rejected }))).toBe(REJECTED)
  })

  it('describeWalletError() finds code 4001 in a chain of plain objects through cause', () => {
    expect(describeWalletError({ code: 4001, message: 'User rejected the request.' })).toBe(REJECTED)
    expect(
      describeWalletError({ message: 'outer', cause: { message: 'middle', cause: { code: 4001 } } }),
    ).toBe(REJECTED)
    expect(describeWalletError(new Error('wallet failed', { cause: { code: 4001 } }))).toBe(REJECTED)
    expect(describeWalletError({ name: 'UserRejectedRequestError', message: 'no' })).toBe(REJECTED)
  })

  it('describeWalletError() explains a chain mismatch, a missing wallet, no account and a pending request', () => {
    expect(
      describeWalletError(
        new ChainMismatchError({ chain: { id: 1, name: 'Ethereum' } as never, currentChainId: 31337 }),
      ),
    ).toBe("Your wallet is on another chain than this dashboard's: switch chains first.")
    expect(describeWalletError({ code: 4901, message: 'disconnected from chain' })).toBe(
      "Your wallet is not connected to this dashboard's chain: switch chains first.",
    )
    expect(describeWalletError({ name: 'ProviderNotFoundError', message: 'Provider not found.' })).toBe(
      'No browser wallet was found. Install one (MetaMask, Rabby…) or open this page in a wallet browser.',
    )
    expect(describeWalletError({ name: 'ConnectorNotConnectedError' })).toBe('Connect your wallet first.')
    expect(describeWalletError({ name: 'ConnectorAccountNotFoundError' })).toBe('Connect your wallet first.')
    expect(describeWalletError({ code: -32002, message: 'Request already pending' })).toBe(
      'Your wallet already has a request waiting: open it and answer that first.',
    )
  })

  it('describeWalletError() explains a viem InsufficientFundsError built by hand', () => {
    expect(describeWalletError(new InsufficientFundsError())).toBe(
      'The account does not have enough ether for this amount plus gas.',
    )
  })

  it('describeWalletError() falls back to the first line of an unknown error, or a generic sentence', () => {
    expect(describeWalletError(new Error('Something odd happened.\nat stack line'))).toBe(
      'Something odd happened.',
    )
    expect(describeWalletError(new BaseError('Short message.', { details: 'long details' }))).toBe(
      'Short message.',
    )
    expect(describeWalletError(new Error(''))).toBe('The request failed.')
    expect(describeWalletError('a string')).toBe('The request failed.')
    expect(describeWalletError(null)).toBe('The request failed.')
    expect(describeWalletError(undefined)).toBe('The request failed.')
    expect(describeWalletError({ code: 1234, message: 'plain object' })).toBe('The request failed.')
  })

  it('describeWalletError() stops walking a cyclic cause chain', () => {
    const a: { message: string; cause?: unknown } = { message: 'a' }
    a.cause = { message: 'b', cause: a }
    expect(describeWalletError(a)).toBe('The request failed.')
  })
})

describe('describeConnectError', () => {
  const DECLINED =
    'You declined the connection in your wallet: nothing was shared. Connect again when you want to.'

  it('describeConnectError() says a declined connection in a sentence, as wagmi and wallets throw it', () => {
    // wagmi's injected connector wraps the wallet's 4001 to wallet_requestPermissions or eth_requestAccounts.
    const fromWallet = { code: 4001, message: 'User rejected the request.' }
    expect(
      describeConnectError(
        new UserRejectedRequestError(Object.assign(new Error(fromWallet.message), fromWallet)),
      ),
    ).toBe(DECLINED)
    expect(describeConnectError(fromWallet)).toBe(DECLINED)
    expect(describeConnectError(new Error('connect failed', { cause: fromWallet }))).toBe(DECLINED)
  })

  it('describeConnectError() says anything else as describeWalletError() does', () => {
    const pending = { code: -32002, message: 'Request already pending' }
    expect(describeConnectError(pending)).toBe(describeWalletError(pending))
    expect(describeConnectError(new Error('Something odd.'))).toBe('Something odd.')
  })
})

describe('describeWalletError on anvil', () => {
  let t: ChannelTestbed
  let channel: Address

  beforeAll(async () => {
    t = await startChannelTestbed()
    channel = await t.open({ value: 1_000n })
  })
  afterAll(async () => t?.stop())

  it("describeWalletError() gives the contract's reason for a deposit simulated by a stranger", async () => {
    const error = await thrown(
      t.publicClient.simulateContract({
        account: t.stranger,
        address: channel,
        abi: intermediaryAbi,
        functionName: 'deposit',
        value: 1n,
      }),
    )
    expect(error).toBeInstanceOf(BaseError)
    expect(
      (error as BaseError).walk((e) => (e as Error).name === 'ContractFunctionRevertedError'),
    ).not.toBeNull()
    expect(describeWalletError(error)).toBe("Only the channel's consumer can do this.")
  })

  it("describeWalletError() gives the contract's reason with its argument for a redemption that is not due", async () => {
    await t.mined(
      await t.wallet(t.provider).writeContract({
        address: channel,
        abi: intermediaryAbi,
        functionName: 'startRedemption',
        args: [2n],
      }),
    )
    const redeemableAt = await t.publicClient.readContract({
      address: channel,
      abi: intermediaryAbi,
      functionName: 'redeemableAt',
    })
    const error = await thrown(
      t.wallet(t.provider).writeContract({
        address: channel,
        abi: intermediaryAbi,
        functionName: 'redeem',
        args: [0n, '0x'],
      }),
    )
    expect(describeWalletError(error)).toBe(
      `The token can be redeemed only after ${formatUtc(Number(redeemableAt))}.`,
    )
  })

  it('describeWalletError() says the account lacks ether when sending a transfer of more than its balance', async () => {
    const balance = await t.publicClient.getBalance({ address: t.stranger.address })
    const error = await thrown(
      t.wallet(t.stranger).sendTransaction({ to: t.consumer.address, value: balance + parseEther('1') }),
    )
    expect((error as BaseError).walk((e) => e instanceof InsufficientFundsError)).toBeInstanceOf(
      InsufficientFundsError,
    )
    expect(describeWalletError(error)).toBe(
      'The account does not have enough ether for this amount plus gas.',
    )
    expect(await t.publicClient.getBalance({ address: t.stranger.address })).toBe(balance)
  })

  it('describeWalletError() says the account lacks ether when sending a deposit larger than its balance', async () => {
    const balance = await t.publicClient.getBalance({ address: t.consumer.address })
    const error = await thrown(
      t.wallet(t.consumer).writeContract({
        address: channel,
        abi: intermediaryAbi,
        functionName: 'deposit',
        value: balance + 1n,
      }),
    )
    expect((error as BaseError).walk((e) => e instanceof InsufficientFundsError)).toBeInstanceOf(
      InsufficientFundsError,
    )
    expect(describeWalletError(error)).toBe(
      'The account does not have enough ether for this amount plus gas.',
    )
  })
})
