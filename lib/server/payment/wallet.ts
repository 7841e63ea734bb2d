import {
  type Abi,
  type Account,
  type Address,
  BaseError,
  type Chain,
  createWalletClient,
  encodeFunctionData,
  type Hex,
  HttpRequestError,
  http,
  InsufficientFundsError,
  keccak256,
  type PublicClient,
  RpcRequestError,
  TimeoutError,
  type TransactionReceipt,
} from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { getTransactionError } from 'viem/utils'
import { contractErrorOf } from '../../contractErrors'
import { AppError, ConflictError, DependencyError } from '../../errors'
import { errorText } from '../../errorText'
import { receiptOrNull } from '../chain'
import type { Db } from '../db/client'
import { revertedMessage, type SentTransactions, type SentTx } from './runner/sentTransactions'
import type { Service, ServiceRegistry } from './services'
import { withSessionLock } from './sessionLock'

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
  /** The token ID a `redeem` redeems (kept with the sent transaction). */
  tokenId?: bigint
}

export type SentTransaction = { hash: Hex; receipt: TransactionReceipt; result: unknown }

/** How long {@link Wallet.send} waits for a receipt by default. */
const DEFAULT_RECEIPT_TIMEOUT_MS = 60_000

/**
 * Sends transactions for the team's services. Every call is simulated first, so a call that
 * would revert is refused with the contract's reason in words (ConflictError with the error's
 * name as code) and never sent. A transaction is signed here and recorded in `payment_sent_tx`
 * before it is broadcast (a crash in between leaves a row the runner finds dropped, never a
 * transaction nobody knows of); a Postgres advisory lock per account is held from nonce to
 * broadcast, so several server instances never race for the same nonce. Every outcome is
 * recorded in `payment_action`.
 */
export function createWallet({
  db,
  databaseUrl,
  client,
  chain,
  rpcUrl,
  services,
  sent,
  receiptTimeoutMs = DEFAULT_RECEIPT_TIMEOUT_MS,
}: {
  db: Db
  /** The database again, for the per-account lock's connection of its own (see withSessionLock()). */
  databaseUrl: string
  client: PublicClient
  chain: Chain
  rpcUrl: string
  services: ServiceRegistry
  sent: SentTransactions
  /** How long {@link Wallet.send} waits for a receipt. */
  receiptTimeoutMs?: number
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
        // A revert the ABI does not decode is rendered with its raw bytes, NUL among them,
        // which Postgres text refuses: control characters go.
        error: error?.replace(CONTROL, '') ?? null,
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
    const message = `${call.action} ${stage}: ${errorText(error, { short: true })}`
    if (isNetworkError(error)) {
      await record(call, 'failed', null, message)
      return new DependencyError({ code: 'chain_unavailable', message, cause: error })
    }
    await record(call, 'refused', null, message)
    return new ConflictError({ code: 'transaction_refused', message, cause: error })
  }

  /** Signs `call` as its service with the nonce (and fees) due, records it, then broadcasts it. */
  async function sign(
    call: ChannelCall,
    account: PrivateKeyAccount,
    request: { data: Hex },
    replace: Replacement | undefined,
  ) {
    const wallet = createWalletClient({ account, chain, transport })
    // One sender per account from nonce to broadcast, across instances. The lock has a
    // connection of its own: held on one of the pool's while the row takes another, six sends
    // at once took a pool of four and waited for each other until Prisma's timeout.
    return withSessionLock({ databaseUrl, name: `wallet:${account.address.toLowerCase()}` }, async () => {
      // The node's pending nonce: a dropped transaction's nonce is used again, none is skipped.
      const nonce =
        replace?.nonce ??
        BigInt(await client.getTransactionCount({ address: account.address, blockTag: 'pending' }))
      const prepared = await wallet.prepareTransactionRequest({
        account,
        chain,
        to: call.address,
        data: request.data,
        value: call.value,
        nonce: Number(nonce),
        type: 'eip1559',
        gas: replace
          ? await replacementGas(replace, { account, data: request.data, call, nonce })
          : undefined,
      })
      const fees = replace ? bumped(prepared, replace) : prepared
      const serialized = await wallet.signTransaction({ ...prepared, ...fees })
      const row = await sent.record({
        hash: keccak256(serialized),
        account: account.address,
        nonce,
        serviceId: call.service.id,
        channel: call.channel ?? null,
        action: call.action,
        tokenId: call.tokenId ?? null,
        maxFeePerGas: fees.maxFeePerGas ?? null,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? null,
        sentBlock: await client.getBlockNumber({ cacheTime: 0 }),
      })
      try {
        await wallet.sendRawTransaction({ serializedTransaction: serialized })
      } catch (error) {
        // Refused by the node: never in a mempool. Unanswered: it may be; the runner finds out.
        if (!isUnanswered(error)) await sent.forget(row.id)
        throw error
      }
      return row
    })
  }

  /**
   * The gas of a replacement. The node estimates on its pending state, where the stuck
   * transaction already ran (a second startRedemption reverts there): the same call keeps the
   * stuck one's gas, another is estimated on the chain's state at its nonce.
   */
  async function replacementGas(
    stuck: Replacement,
    { account, data, call, nonce }: { account: Account; data: Hex; call: ChannelCall; nonce: bigint },
  ): Promise<bigint> {
    const onNode = await client.getTransaction({ hash: stuck.hash }).catch(() => null)
    if (onNode?.input === data) return onNode.gas
    return client.estimateGas({
      account,
      to: call.address,
      data,
      value: call.value,
      nonce: Number(nonce),
      blockTag: 'latest',
    })
  }

  /** The receipt of `hash`, polled until `receiptTimeoutMs` has passed; null if none by then. */
  async function receiptOf(hash: Hex): Promise<TransactionReceipt | null> {
    const deadline = Date.now() + receiptTimeoutMs
    for (;;) {
      const receipt = await receiptOrNull(client, hash)
      if (receipt || Date.now() >= deadline) return receipt
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }

  const wallet = {
    /** Files a transaction sent before its channel existed (an `open`) under that channel. */
    async fileUnder(hash: Hex, channel: Address): Promise<void> {
      await db.paymentAction.updateMany({ where: { txHash: hash }, data: { channel: channel.toLowerCase() } })
      await sent.fileUnder(hash, channel)
    },

    /**
     * Simulates `call`, then signs it, records it in `payment_sent_tx` and broadcasts it, without
     * waiting for its receipt (the runner's watcher follows it). `replace`: sign with that
     * transaction's nonce and higher fees, to take the place of one stuck in the mempool.
     */
    async submit(call: ChannelCall, { replace }: { replace?: Replacement } = {}): Promise<Submitted> {
      const account = privateKeyToAccount(await services.privateKey(call.service))
      let result: unknown
      let data: Hex
      try {
        const simulated = await client.simulateContract({
          account,
          address: call.address,
          abi: call.abi,
          functionName: call.functionName,
          args: call.args ?? [],
          value: call.value,
        } as Parameters<PublicClient['simulateContract']>[0])
        result = simulated.result
        data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args ?? [] })
      } catch (error) {
        throw await refusal(call, 'would fail', error)
      }
      try {
        return { tx: await sign(call, account, { data }, replace), result }
      } catch (error) {
        // eth_call carries no gas price, so an account without ether for gas fails only here;
        // the node's words (e.g. "insufficient funds") become viem's error classes.
        const explained =
          error instanceof BaseError
            ? getTransactionError(error, { account, chain, to: call.address })
            : error
        throw await refusal(call, 'could not be sent', explained)
      }
    },

    /**
     * {@link submit}, then waits for the receipt, at most `receiptTimeoutMs` (the admin API's
     * calls answer once mined): a revert is a 409 `transaction_reverted`, no receipt in time a
     * 504 `transaction_pending` naming the transaction, which the runner keeps watching.
     */
    async send(call: ChannelCall): Promise<SentTransaction> {
      const { tx, result } = await wallet.submit(call)
      const receipt = await receiptOf(tx.hash)
      if (!receipt) {
        throw new AppError({
          code: 'transaction_pending',
          status: 504,
          message: `${call.action} was sent in transaction ${tx.hash} and is not mined after ${Math.round(receiptTimeoutMs / 1000)} s; the Payment Server keeps watching it.`,
        })
      }
      if (receipt.status !== 'success') {
        const message = revertedMessage(tx)
        await sent.settle(tx, receipt, message)
        throw new ConflictError({ code: 'transaction_reverted', message, retryable: false })
      }
      await sent.settle(tx, receipt, null)
      return { hash: tx.hash, receipt, result }
    },
  }
  return wallet
}

/** A stuck transaction to take the place of: its nonce, and the fees the new one must beat. */
export type Replacement = Pick<SentTx, 'hash' | 'nonce' | 'maxFeePerGas' | 'maxPriorityFeePerGas'>

/** What {@link Wallet.submit} broadcast: the recorded transaction and the simulated result. */
export type Submitted = { tx: SentTx; result: unknown }

/**
 * The fees of a replacement: the node takes one only if both fees rise (geth: by 10 %), so the
 * stuck one's plus an eighth, or today's estimate if that is higher.
 */
function bumped(
  estimate: { maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint },
  stuck: Replacement,
): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  const raise = (fee: bigint | null, now: bigint | undefined) => {
    const floor = fee === null ? 0n : fee + fee / 8n + 1n
    return now !== undefined && now > floor ? now : floor
  }
  const maxPriorityFeePerGas = raise(stuck.maxPriorityFeePerGas, estimate.maxPriorityFeePerGas)
  const maxFeePerGas = raise(stuck.maxFeePerGas, estimate.maxFeePerGas)
  return {
    maxPriorityFeePerGas,
    // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers)
    maxFeePerGas: maxFeePerGas > maxPriorityFeePerGas ? maxFeePerGas : maxPriorityFeePerGas,
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

/** The node did not answer: a broadcast may or may not have reached it. */
const isUnanswered = (error: unknown) =>
  error instanceof BaseError &&
  Boolean(error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError))

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g

const isBalanceError = (error: unknown) =>
  error instanceof BaseError && Boolean(error.walk((e) => e instanceof InsufficientFundsError))

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
