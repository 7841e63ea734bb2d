import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { type Abi, type Address, type Hex, parseEventLogs } from 'viem'
import { intermediaryAbi, intermediaryFactoryAbi } from '../../contracts/generated'
import { signTokenNative } from '../../lib/server/tokenCrypto'
import { dataDir } from './api'
import { advanceTime, chain, roles, walletFor } from './chain'

/**
 * The chain activity the explorer spec reads back: two channels through the factory, a deposit,
 * a redemption with a real token, a call that reverts, and a plain ether transfer (which the
 * indexer does not index). Every number is chosen so a wrong conversion shows (more than 2^53,
 * not round).
 */
export const plan = {
  /** Channel A: opened, topped up, one redemption completed; ends `open`. */
  a: {
    costPerRequest: 2_500_000_001n,
    redemptionTimeout: 60n,
    terminationTimeout: 600n,
    firstDeposit: 50_000_000_000_000_007n,
    deposit: 20_000_000_000_000_003n,
    newTokenId: 2n,
    requests: 1_234n,
  },
  /** Channel B: a redemption pending and termination announced; both countdowns run. */
  b: {
    costPerRequest: 1_000_000_000n,
    redemptionTimeout: 3_600n,
    terminationTimeout: 10_800n,
    firstDeposit: 10_000_000_000_000_000n,
    newTokenId: 5n,
  },
  /** The stranger's deposit that reverts with NotConsumer. */
  strangerDeposit: 1n,
  /** The plain transfer between two accounts. */
  transfer: 1_234_567_890_123_456_789n,
  /** Gas limit for calls that must be mined even when they revert. */
  fixedGas: 300_000n,
}

export type Activity = {
  chainId: number
  factory: Address
  channelA: Address
  channelB: Address
  tx: {
    openA: Hex
    depositA: Hex
    startRedemptionA: Hex
    redeemA: Hex
    failedDeposit: Hex
    transfer: Hex
    openB: Hex
    startRedemptionB: Hex
    startTerminationB: Hex
  }
  /** The token the provider redeemed on channel A (tokenId 1). */
  signature: Hex
  /** The last block the activity mined. */
  lastBlock: string
}

const cacheFile = path.join(dataDir, 'e2e-explorer-activity.json')

/**
 * Makes the activity once per stack: the desktop and phone projects run in different workers,
 * so the result is kept in the stack's data directory and reused while the node still has
 * every transaction of it (a fresh data directory, or a reset chain, makes it anew).
 */
export async function explorerActivity(factory: Address): Promise<Activity> {
  if (existsSync(cacheFile)) {
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as Activity
    const chainId = await chain.getChainId()
    const present = await Promise.all(
      Object.values(cached.tx).map((hash) =>
        chain.getTransactionReceipt({ hash }).then(
          () => true,
          () => false,
        ),
      ),
    )
    if (cached.chainId === chainId && cached.factory === factory && present.every(Boolean)) return cached
  }
  const activity = await makeActivity(factory)
  await mkdir(dataDir, { recursive: true })
  await writeFile(cacheFile, JSON.stringify(activity, null, 2))
  return activity
}

async function makeActivity(factory: Address): Promise<Activity> {
  const chainId = await chain.getChainId()
  const consumer = await walletFor(roles.consumer)
  const provider = await walletFor(roles.provider)
  const stranger = await walletFor(roles.stranger)
  const payer = await walletFor(roles.payer)

  /** Sends a call; with `gas` fixed, one that reverts is mined instead of refused by estimation. */
  const send = async (
    wallet: typeof consumer,
    p: {
      address: Address
      abi?: Abi
      functionName: string
      args?: readonly unknown[]
      value?: bigint
      gas?: bigint
    },
  ) => {
    const hash = await wallet.writeContract({
      address: p.address,
      abi: p.abi ?? intermediaryAbi,
      functionName: p.functionName,
      args: p.args ?? [],
      value: p.value,
      gas: p.gas,
    } as never)
    const receipt = await chain.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    return { hash, receipt }
  }
  const succeeds = async (...p: Parameters<typeof send>) => {
    const sent = await send(...p)
    if (sent.receipt.status !== 'success') throw new Error(`${p[1].functionName} reverted (${sent.hash})`)
    return sent
  }
  const open = async (c: typeof plan.a | typeof plan.b) => {
    const sent = await succeeds(consumer, {
      address: factory,
      abi: intermediaryFactoryAbi,
      functionName: 'open',
      args: [roles.provider.address, c.costPerRequest, c.redemptionTimeout, c.terminationTimeout],
      value: c.firstDeposit,
    })
    const [opened] = parseEventLogs({
      abi: intermediaryFactoryAbi,
      logs: sent.receipt.logs,
      eventName: 'ChannelOpened',
    })
    if (!opened) throw new Error('ChannelOpened not emitted')
    return { hash: sent.hash, channel: opened.args.channel.toLowerCase() as Address }
  }

  const a = await open(plan.a)
  const depositA = await succeeds(consumer, {
    address: a.channel,
    functionName: 'deposit',
    value: plan.a.deposit,
  })
  const startRedemptionA = await succeeds(provider, {
    address: a.channel,
    functionName: 'startRedemption',
    args: [plan.a.newTokenId],
  })
  await advanceTime(Number(plan.a.redemptionTimeout) + 1)
  const token = signTokenNative({
    privateKey: roles.consumerKey,
    chainId,
    channel: a.channel,
    tokenId: 1n,
    requests: plan.a.requests,
  })
  const redeemA = await succeeds(provider, {
    address: a.channel,
    functionName: 'redeem',
    args: [plan.a.requests, token.signature],
  })
  const failedDeposit = await send(stranger, {
    address: a.channel,
    functionName: 'deposit',
    value: plan.strangerDeposit,
    gas: plan.fixedGas,
  })
  if (failedDeposit.receipt.status !== 'reverted') throw new Error('the stranger’s deposit did not revert')
  const transfer = await payer.sendTransaction({ to: roles.payee.address, value: plan.transfer })
  await chain.waitForTransactionReceipt({ hash: transfer, pollingInterval: 50 })

  const b = await open(plan.b)
  const startRedemptionB = await succeeds(provider, {
    address: b.channel,
    functionName: 'startRedemption',
    args: [plan.b.newTokenId],
  })
  const startTerminationB = await succeeds(consumer, { address: b.channel, functionName: 'startTermination' })

  return {
    chainId,
    factory,
    channelA: a.channel,
    channelB: b.channel,
    tx: {
      openA: a.hash,
      depositA: depositA.hash,
      startRedemptionA: startRedemptionA.hash,
      redeemA: redeemA.hash,
      failedDeposit: failedDeposit.hash,
      transfer,
      openB: b.hash,
      startRedemptionB: startRedemptionB.hash,
      startTerminationB: startTerminationB.hash,
    },
    signature: token.signature,
    lastBlock: startTerminationB.receipt.blockNumber.toString(),
  }
}
