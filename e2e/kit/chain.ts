import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  getContractAddress,
  type Hex,
  http,
  keccak256,
  parseEventLogs,
  stringToHex,
  type TransactionReceipt,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { intermediaryFactoryV2Abi, intermediaryFactoryV2DeployedBytecode } from '../../contracts/generated'
import { ANVIL_KEYS } from '../../stack/anvil'

/** The anvil of the stack under test (playwright.config.ts starts it on this port). */
export const anvilUrl = `http://127.0.0.1:${process.env.E2E_ANVIL_PORT ?? '8555'}`

const transport = http(anvilUrl)

/** Reads from the stack's anvil, never cached (the head moves under the tests). */
export const chain = createPublicClient({ transport, cacheTime: 0, pollingInterval: 50 })

/** anvil's own methods (`evm_mine`, `evm_increaseTime`) on the stack's chain. */
export const testClient = createTestClient({ transport, mode: 'anvil' })

/**
 * Accounts the explorer spec acts with. Key 0 deploys the factory, key 9 funds the example
 * network, e2e/indexer.spec.ts uses 5 and 6: these are the ones nobody else touches.
 */
export const roles = {
  consumer: privateKeyToAccount(ANVIL_KEYS[2]),
  consumerKey: ANVIL_KEYS[2] as Hex,
  provider: privateKeyToAccount(ANVIL_KEYS[3]),
  stranger: privateKeyToAccount(ANVIL_KEYS[4]),
  payer: privateKeyToAccount(ANVIL_KEYS[8]),
  payee: privateKeyToAccount(ANVIL_KEYS[7]),
}

/**
 * Keys of the wallet-admin spec (e2e/admin.spec.ts): derived from fixed phrases, so that the
 * stack's web process can be given the provider's key (playwright.config.ts) to register it as
 * a Payment Server service, and funded with anvil_setBalance; no dev account is shared.
 */
export const adminKeys = {
  consumer: keccak256(stringToHex('channel-inspector e2e admin consumer')),
  provider: keccak256(stringToHex('channel-inspector e2e admin provider')),
  stranger: keccak256(stringToHex('channel-inspector e2e admin stranger')),
} as const

/** A wallet on the stack's chain for `account` (chain id as the node says). */
export async function walletFor(account: Account) {
  const id = await chain.getChainId()
  const onStack: Chain = { ...foundry, id, rpcUrls: { default: { http: [anvilUrl] } } }
  return createWalletClient({ chain: onStack, transport, account, pollingInterval: 50 })
}

/** Mines one empty block and returns its number. */
export async function mineBlock(): Promise<bigint> {
  await testClient.mine({ blocks: 1 })
  return chain.getBlockNumber({ cacheTime: 0 })
}

/** Moves anvil's clock forward and mines a block, so `block.timestamp` has advanced. */
export async function advanceTime(seconds: number): Promise<void> {
  await testClient.increaseTime({ seconds })
  await testClient.mine({ blocks: 1 })
}

/** The stack's IntermediaryFactoryV2: deployed by dev account 0 right after v1's, found by its code. */
export async function factoryV2Address(): Promise<Address> {
  const deployer = privateKeyToAccount(ANVIL_KEYS[0]).address
  for (let nonce = 0n; nonce < 8n; nonce++) {
    const address = getContractAddress({ from: deployer, nonce })
    const code = await chain.getCode({ address })
    if (code?.toLowerCase() === intermediaryFactoryV2DeployedBytecode.toLowerCase()) return address
  }
  throw new Error('no IntermediaryFactoryV2 among dev account 0 deployments')
}

/** Waits for a transaction's receipt and requires that it succeeded. */
export async function minedOk(hash: Hex): Promise<TransactionReceipt> {
  const receipt = await chain.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
  return receipt
}

/**
 * Opens a version 2 channel from `consumer`'s wallet through the stack's IntermediaryFactoryV2
 * (redemption timeout 60 s, termination 600 s) and returns its address, lowercase.
 */
export async function openV2Channel(
  consumer: Awaited<ReturnType<typeof walletFor>>,
  provider: Address,
  prices: readonly bigint[],
  deposit: bigint,
): Promise<Address> {
  const receipt = await minedOk(
    await consumer.writeContract({
      address: await factoryV2Address(),
      abi: intermediaryFactoryV2Abi,
      functionName: 'open',
      args: [provider, [...prices], 60n, 600n],
      value: deposit,
    } as never),
  )
  const [event] = parseEventLogs({
    abi: intermediaryFactoryV2Abi,
    logs: receipt.logs,
    eventName: 'ChannelOpened',
  })
  if (!event) throw new Error('no ChannelOpened in the open transaction')
  return event.args.channel.toLowerCase() as Address
}
