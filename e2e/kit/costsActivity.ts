import { type APIRequestContext, expect } from '@playwright/test'
import { type Address, type Hex, parseEther, parseEventLogs } from 'viem'
import { intermediaryAbi, intermediaryFactoryAbi } from '../../contracts/generated'
import { signTokenNative } from '../../lib/server/tokenCrypto'
import { factoryAddress } from './api'
import { advanceTime, chain, testClient, walletFor } from './chain'
import {
  accounts,
  type ChannelKey,
  edgeOf,
  graphAll,
  keys,
  plan,
  REDEMPTION_TIMEOUT,
  ROLES,
  type Role,
  SETTLED,
  TERMINATION_TIMEOUT,
} from './costs'

/** What the costs spec's setup made, for the tests after it. */
export type CostActivity = {
  channels: Record<ChannelKey, Address>
  /** Chain time (unix s) of the earliest of the three redemptions. */
  firstRedemptionAt: number
}

/**
 * The costs spec's chain activity: funds the four services, opens the three channels of
 * {@link plan}, redeems each one's requests on token 1, and waits until the indexer has the
 * redemptions and they are final.
 */
let paid: Promise<CostActivity> | undefined
/**
 * Once per worker: the scenario's keys are per module instance (kit/costs.ts), and the specs that
 * use it (costs, units) share the worker's instance, so a second payment would double the pairs.
 */
export function payEachOther(request: APIRequestContext): Promise<CostActivity> {
  paid ??= pay(request)
  return paid
}

async function pay(request: APIRequestContext): Promise<CostActivity> {
  const made: CostActivity = { channels: {} as Record<ChannelKey, Address>, firstRedemptionAt: 0 }
  for (const r of ROLES)
    await testClient.setBalance({ address: accounts[r].address, value: parseEther('10') })
  const factory = await factoryAddress(request)
  const chainId = await chain.getChainId()
  const wallets = Object.fromEntries(
    await Promise.all(ROLES.map(async (r) => [r, await walletFor(accounts[r])] as const)),
  ) as Record<Role, Awaited<ReturnType<typeof walletFor>>>

  const mined = async (hash: Hex) => {
    const receipt = await chain.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    expect(receipt.status, hash).toBe('success')
    return receipt
  }

  // Opens: three different consumers, so in parallel.
  await Promise.all(
    plan.map(async (c) => {
      const hash = await wallets[c.consumer].writeContract({
        address: factory,
        abi: intermediaryFactoryAbi,
        functionName: 'open',
        args: [accounts[c.provider].address, c.price, REDEMPTION_TIMEOUT, TERMINATION_TIMEOUT],
        value: c.deposit,
      })
      const [opened] = parseEventLogs({
        abi: intermediaryFactoryAbi,
        logs: (await mined(hash)).logs,
        eventName: 'ChannelOpened',
      })
      if (!opened) throw new Error(`no ChannelOpened for ${c.key}`)
      made.channels[c.key] = opened.args.channel.toLowerCase() as Address
    }),
  )

  // Each provider starts redeeming token 1 (token 2 becomes active); charlie's two one by one.
  const byProvider = (r: Role) => plan.filter((c) => c.provider === r)
  const eachProvider = (task: (c: (typeof plan)[number]) => Promise<unknown>) =>
    Promise.all(
      (['charlie', 'dave'] as const).map(async (p) => {
        for (const c of byProvider(p)) await task(c)
      }),
    )
  await eachProvider(async (c) => {
    const hash = await wallets[c.provider].writeContract({
      address: made.channels[c.key],
      abi: intermediaryAbi,
      functionName: 'startRedemption',
      args: [2n],
    })
    await mined(hash)
  })
  await advanceTime(Number(REDEMPTION_TIMEOUT) + 1)
  const times: number[] = []
  await eachProvider(async (c) => {
    const token = signTokenNative({
      privateKey: keys[c.consumer],
      chainId,
      channel: made.channels[c.key],
      tokenId: 1n,
      requests: c.requests,
    })
    const hash = await wallets[c.provider].writeContract({
      address: made.channels[c.key],
      abi: intermediaryAbi,
      functionName: 'redeem',
      args: [c.requests, token.signature],
    })
    const receipt = await mined(hash)
    const block = await chain.getBlock({ blockNumber: receipt.blockNumber })
    times.push(Number(block.timestamp))
  })
  made.firstRedemptionAt = Math.min(...times)

  // The indexer has all three redemptions…
  await expect
    .poll(
      async () => {
        const g = await graphAll(request)
        return plan.map((c) => edgeOf(g, c)?.settled ?? null)
      },
      { message: 'the three redemptions are indexed', timeout: 60_000, intervals: [500] },
    )
    .toEqual(plan.map((c) => SETTLED[c.key].toString()))
  // …and they are final (12 blocks deep), so no figure moves while the pages are compared.
  await testClient.mine({ blocks: 12 })
  await expect
    .poll(
      async () => {
        const g = await graphAll(request)
        return plan.map((c) => edgeOf(g, c)?.unconfirmed ?? null)
      },
      { message: 'the redemptions are final', timeout: 60_000, intervals: [500] },
    )
    .toEqual(['0', '0', '0'])
  return made
}
