/**
 * A benchmark chain: anvil with a high block gas limit, the real IntermediaryFactory and an
 * EventPump (scripts/bench/EventPump.sol, compiled here with solc-js) that opens channels and
 * emits thousands of real `Deposited` events per transaction, plus one channel's life cycle
 * (RedemptionStarted, TerminationStarted, Terminated, Withdrawn).
 */
import path from 'node:path'
import { type Abi, type Address, createPublicClient, createWalletClient, type Hex, http } from 'viem'
import { foundry } from 'viem/chains'
import {
  intermediaryAbi,
  intermediaryFactoryAbi,
  intermediaryFactoryBytecode,
} from '../../contracts/generated'
import { compileSolidity } from '../../test/kit/solidity'

/** Gas of one `deposit{value: 1}()` from the pump (9,572 measured on anvil, cancun), with margin. */
export const GAS_PER_DEPOSIT = 11_000n

/** Compiles EventPump.sol (bench-only, outside contracts/src) with the project's compiler settings. */
export function compileEventPump(): { abi: Abi; bytecode: Hex } {
  return compileSolidity(path.join(import.meta.dirname, 'EventPump.sol'), 'EventPump')
}

export type BenchChain = Awaited<ReturnType<typeof createBenchChain>>

/** Deploys the factory and a pump on `url` (anvil's unlocked dev accounts send everything). */
export async function createBenchChain({ url }: { url: string }) {
  const chain = { ...foundry, rpcUrls: { default: { http: [url] } } }
  const transport = http(url, { timeout: 120_000 })
  const client = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval: 20 })
  const [consumer, provider] = (await client.request({ method: 'eth_accounts' } as never)) as [
    Address,
    Address,
  ]
  const wallet = (account: Address) => createWalletClient({ chain, transport, account })
  const { abi: pumpAbi, bytecode: pumpBytecode } = compileEventPump()

  /**
   * Polls for the receipt. Not viem's waitForTransactionReceipt: it looks again only when the
   * block number changes, and here it missed mined 2,000-event transactions (2 of 36 waits hung
   * until its timeout), presumably seeing the new block number a moment before the receipt.
   */
  async function mined(hash: Hex) {
    for (;;) {
      const receipt = (await client.request({ method: 'eth_getTransactionReceipt', params: [hash] })) as {
        status: Hex
        blockNumber: Hex
        gasUsed: Hex
        contractAddress: Address | null
        logs: unknown[]
      } | null
      if (receipt) {
        if (receipt.status !== '0x1') throw new Error(`transaction ${hash} reverted`)
        return {
          blockNumber: BigInt(receipt.blockNumber),
          gasUsed: BigInt(receipt.gasUsed),
          contractAddress: receipt.contractAddress,
          events: receipt.logs.length,
        }
      }
      await new Promise((r) => setTimeout(r, 2))
    }
  }
  const deploy = async (abi: Abi, bytecode: Hex, args: unknown[] = []) => {
    const receipt = await mined(await wallet(consumer).deployContract({ abi, bytecode, args }))
    return { address: receipt.contractAddress!, blockNumber: receipt.blockNumber }
  }

  const factory = await deploy(intermediaryFactoryAbi as Abi, intermediaryFactoryBytecode)
  const pump = (await deploy(pumpAbi, pumpBytecode, [factory.address])).address
  // `deposits` wei go along (plus 1 for a channel's opening deposit); the gas is set, not estimated.
  const call = async (functionName: string, args: unknown[], deposits = 0) =>
    mined(
      await wallet(consumer).writeContract({
        address: pump,
        abi: pumpAbi,
        functionName,
        args,
        value: functionName === 'open' ? BigInt(deposits + 1) : BigInt(deposits),
        gas: 5_000_000n + BigInt(deposits) * GAS_PER_DEPOSIT,
        chain,
      }),
    )
  const channelCall = async (functionName: string, args: unknown[] = []) =>
    mined(
      await wallet(provider).writeContract({
        address: (await currentChannel()) as Address,
        abi: intermediaryAbi,
        functionName,
        args,
        chain,
      } as never),
    )
  const currentChannel = () => client.readContract({ address: pump, abi: pumpAbi, functionName: 'channel' })

  return {
    client,
    factory,
    /** Opens a channel and deposits into it `deposits` times in one transaction; events emitted. */
    async open(deposits: number): Promise<{ events: number; blockNumber: bigint }> {
      return call('open', [provider, BigInt(deposits)], deposits)
    },
    /** `deposits` more deposits into the current channel in one transaction. */
    async pump(deposits: number): Promise<{ events: number; blockNumber: bigint }> {
      return call('pump', [BigInt(deposits)], deposits)
    },
    /** The current channel's life cycle to its end: one event of every other channel kind. */
    async finishChannel(): Promise<number> {
      let events = 0
      events += (await channelCall('startRedemption', [2n])).events
      events += (await call('startTermination', [])).events
      events += (await channelCall('terminate')).events
      events += (await call('withdraw', [])).events
      return events
    },
  }
}
