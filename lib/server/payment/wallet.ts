import {
  type Abi,
  type Address,
  BaseError,
  type Chain,
  createWalletClient,
  type Hex,
  HttpRequestError,
  http,
  InsufficientFundsError,
  type PublicClient,
  RpcRequestError,
  TimeoutError,
  type TransactionReceipt,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { contractErrorOf } from '../../contractErrors'
import { ConflictError, DependencyError } from '../../errors'
import { errorText } from '../../errorText'
import type { Db } from '../db/client'
import type { Service, ServiceRegistry } from './services'

export type ChannelCall = {
  service: Service
  address: Address
  abi: Abi
  functionName: string
  args?: readonly unknown[]
  value?: bigint
  /** What the action is called in `payment_action` and in messages (`deposit`, `redeem`...). */
  action: string
  channel?: Address
}

export type SentTransaction = { hash: Hex; receipt: TransactionReceipt; result: unknown }

/**
 * Sends transactions for the team's services. Every call is simulated first, so a call that
 * would revert is refused with the contract's reason in words (ConflictError with the error's
 * name as code) and never sent. Sending holds a Postgres advisory lock per account from nonce
 * to submission, so several server instances never race for the same nonce. Every attempt is
 * recorded in `payment_action`.
 */
export function createWallet({
  db,
  client,
  chain,
  rpcUrl,
  services,
}: {
  db: Db
  client: PublicClient
  chain: Chain
  rpcUrl: string
  services: ServiceRegistry
}) {
  const transport = http(rpcUrl, { timeout: 20_000 })

  async function record(call: ChannelCall, status: string, hash: Hex | null, error: string | null) {
    await db.paymentAction.create({
      data: {
        chainId: chain.id,
        // An `open` has no channel yet (its address is known once mined).
        channel: call.channel?.toLowerCase() ?? null,
        serviceId: call.service.id,
        action: call.action,
        txHash: hash,
        status,
        error,
      },
    })
  }

  /**
   * Records a failed attempt and says why in words: the contract's reason (409, its error name
   * as code), an account that cannot pay (409 `insufficient_balance`), the node not answering
   * (503 `chain_unavailable`, retryable) or another refusal of the node (409).
   */
  async function refusal(call: ChannelCall, stage: string, error: unknown): Promise<Error> {
    const reason = contractErrorOf(error)
    if (reason) {
      const message = `${call.action} would fail: ${reason.message}`
      await record(call, 'refused', null, message)
      return new ConflictError({ code: snake(reason.name), message, cause: error })
    }
    if (isBalanceError(error)) {
      const message = `${call.action} ${stage}: account ${call.service.address} of service ${call.service.name} cannot pay the value and gas.`
      await record(call, 'refused', null, message)
      return new ConflictError({ code: 'insufficient_balance', message, cause: error })
    }
    const message = `${call.action} ${stage}: ${errorText(error, { short: true, hideUrls: true })}`
    if (isNetworkError(error)) {
      await record(call, 'failed', null, message)
      return new DependencyError({ code: 'chain_unavailable', message, cause: error })
    }
    await record(call, 'refused', null, message)
    return new ConflictError({ code: 'transaction_refused', message, cause: error })
  }

  return {
    async send(call: ChannelCall): Promise<SentTransaction> {
      const account = privateKeyToAccount(await services.privateKey(call.service))
      const wallet = createWalletClient({ account, chain, transport })
      let request: Parameters<typeof wallet.writeContract>[0]
      let result: unknown
      try {
        const simulated = await client.simulateContract({
          account,
          address: call.address,
          abi: call.abi,
          functionName: call.functionName,
          args: call.args ?? [],
          value: call.value,
        } as Parameters<PublicClient['simulateContract']>[0])
        request = simulated.request as Parameters<typeof wallet.writeContract>[0]
        result = simulated.result
      } catch (error) {
        throw await refusal(call, 'would fail', error)
      }
      let hash: Hex
      try {
        hash = await db.$transaction(
          async (tx) => {
            await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`wallet:${account.address.toLowerCase()}`}))`
            return wallet.writeContract(request)
          },
          { timeout: 30_000, maxWait: 30_000 },
        )
      } catch (error) {
        // eth_call carries no gas price, so an account without ether for gas fails only here.
        throw await refusal(call, 'could not be sent', error)
      }
      const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 250, timeout: 120_000 })
      if (receipt.status !== 'success') {
        const message = `${call.action} reverted in transaction ${hash}.`
        await record(call, 'reverted', hash, message)
        throw new ConflictError({ code: 'transaction_reverted', message, retryable: false })
      }
      await record(call, 'mined', hash, null)
      return { hash, receipt, result }
    },
  }
}

export type Wallet = ReturnType<typeof createWallet>

const isNetworkError = (error: unknown) =>
  error instanceof BaseError &&
  Boolean(
    error.walk(
      (e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof RpcRequestError,
    ),
  )

const isBalanceError = (error: unknown) =>
  error instanceof BaseError && Boolean(error.walk((e) => e instanceof InsufficientFundsError))

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
