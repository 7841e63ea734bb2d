import { type Address, createWalletClient, type Hex, http, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  intermediaryFactoryAbi,
  intermediaryFactoryBytecode,
  intermediaryFactoryDeployedBytecode,
} from '../contracts/generated'
import type { Db } from '../lib/server/db/client'
import {
  type DeploymentRecord,
  FACTORY_CONTRACT,
  findDeployment,
  saveDeployment,
} from '../lib/server/deployments'

export type EnsureFactoryParameters = {
  db: Db
  client: PublicClient
  rpcUrl: string
  /** An existing deployment to use as is (production). */
  factoryAddress?: Address
  factoryBlock?: bigint
  /** Key that pays for deploying when no usable factory exists. */
  deployerKey?: Hex
  log?: (line: string) => void
}

export type EnsureFactoryResult = DeploymentRecord & { deployed: boolean }

/**
 * Makes sure the chain has the factory and the database knows where: uses FACTORY_ADDRESS when
 * given; else reuses the recorded deployment when the chain (genesis hash) is the same and the
 * code there is the current build; else deploys once and records it.
 */
export async function ensureFactory(p: EnsureFactoryParameters): Promise<EnsureFactoryResult> {
  const log = p.log ?? (() => {})
  const chainId = await p.client.getChainId()
  const genesis = await p.client.getBlock({ blockNumber: 0n })
  const genesisHash = genesis.hash

  if (p.factoryAddress) {
    const address = p.factoryAddress.toLowerCase() as Address
    const code = await p.client.getCode({ address })
    if (!code || code === '0x')
      throw new Error(`FACTORY_ADDRESS ${p.factoryAddress} has no code on chain ${chainId}.`)
    // The deployment this database recorded for this address (npm start deployed it, or an
    // earlier start found it) stays as it is: its transaction is known, its block already found.
    const known = await findDeployment({ db: p.db, chainId })
    const same = known?.address.toLowerCase() === address && (await isSameChain(p.client, known))
    if (same && (p.factoryBlock === undefined || p.factoryBlock === known.blockNumber))
      return { ...known, deployed: false }
    const start = p.factoryBlock === undefined ? await factoryStartBlock(p.client, address) : null
    const blockNumber = start?.block ?? (p.factoryBlock as bigint)
    const block = await p.client.getBlock({ blockNumber })
    const record: DeploymentRecord = {
      chainId,
      contract: FACTORY_CONTRACT,
      address,
      blockNumber,
      blockHash: block.hash,
      txHash: same ? known.txHash : null,
      genesisHash,
    }
    await saveDeployment({ db: p.db, record })
    if (start)
      log(
        `FACTORY_BLOCK is not set: the indexer starts at block ${blockNumber}, ${start.from === 'event' ? "the factory's first event" : 'the head (the factory has emitted no event yet)'}`,
      )
    return { ...record, deployed: false }
  }

  const known = await findDeployment({ db: p.db, chainId })
  if (known && (await isSameChain(p.client, known))) {
    const code = await p.client.getCode({ address: known.address })
    if (code?.toLowerCase() === intermediaryFactoryDeployedBytecode.toLowerCase())
      return { ...known, deployed: false }
    log(
      code && code !== '0x'
        ? `the factory at ${known.address} runs older code; deploying the current build`
        : `no factory code at ${known.address} any more; deploying again`,
    )
  } else if (known) {
    log(
      `chain ${chainId} no longer holds block ${known.blockNumber} ${known.blockHash} of the recorded deployment (it was reset); deploying the factory again`,
    )
  }

  if (!p.deployerKey) {
    throw new Error(
      `No factory on chain ${chainId}: set FACTORY_ADDRESS to an existing deployment, or DEPLOYER_PRIVATE_KEY to deploy one.`,
    )
  }
  const account = privateKeyToAccount(p.deployerKey)
  const wallet = createWalletClient({ account, chain: p.client.chain, transport: http(p.rpcUrl) })
  const hash = await wallet.deployContract({
    abi: intermediaryFactoryAbi,
    bytecode: intermediaryFactoryBytecode,
    chain: p.client.chain ?? null,
  })
  const receipt = await p.client.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 120_000 })
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new Error(`Factory deployment ${hash} failed.`)
  const record: DeploymentRecord = {
    chainId,
    contract: FACTORY_CONTRACT,
    address: receipt.contractAddress.toLowerCase() as Address,
    blockNumber: receipt.blockNumber,
    blockHash: receipt.blockHash,
    txHash: hash,
    genesisHash,
  }
  await saveDeployment({ db: p.db, record })
  log(
    `deployed IntermediaryFactory at ${record.address} in block ${record.blockNumber} (gas ${receipt.gasUsed})`,
  )
  return { ...record, deployed: true }
}

/**
 * True when the chain still holds the recorded deployment block. The genesis hash cannot tell:
 * a reset anvil keeps its chain id and genesis hash, while an anvil reloaded from its state file
 * regenerates block 0 with a new timestamp (new hash) and keeps every later block. The
 * deployment block's hash is what identifies the chain.
 */
async function isSameChain(client: PublicClient, known: DeploymentRecord): Promise<boolean> {
  try {
    const block = await client.getBlock({ blockNumber: known.blockNumber })
    return block.hash.toLowerCase() === known.blockHash
  } catch {
    return false
  }
}

/**
 * The block the indexer starts at for a factory given without FACTORY_BLOCK: the block of its
 * first event, or the head when it has emitted none yet. Not the block of its deployment: that
 * needs the code at past blocks (`eth_getCode` at a block number), which a node without
 * archive state refuses ("missing trie node"), while logs are kept by every node. And nothing
 * to index comes before the factory's first event: it emits none at deployment, and every
 * channel is opened through it with a `ChannelOpened` in the same transaction, so the first
 * event is the first channel's. The head is read first: an event after it is indexed live.
 */
export async function factoryStartBlock(
  client: PublicClient,
  address: Address,
): Promise<{ block: bigint; from: 'event' | 'head' }> {
  const head = await client.getBlockNumber({ cacheTime: 0 })
  const first = await firstLogBlock(client, address, 0n, head)
  return first === null ? { block: head, from: 'head' } : { block: first, from: 'event' }
}

/**
 * The block of `address`'s first log in `[from, to]`, or null when it has none there: one
 * `eth_getLogs` over the range, split in halves (earlier half first) when the node refuses it
 * (providers cap a query's block range or its results). A node that refuses even one block
 * throws that block's error.
 */
export async function firstLogBlock(
  client: PublicClient,
  address: Address,
  from: bigint,
  to: bigint,
): Promise<bigint | null> {
  try {
    const logs = await client.getLogs({ address, fromBlock: from, toBlock: to })
    return logs.reduce<bigint | null>(
      (first, l) => (first === null || l.blockNumber < first ? l.blockNumber : first),
      null,
    )
  } catch (error) {
    if (from === to) throw error
    const mid = (from + to) / 2n
    return (
      (await firstLogBlock(client, address, from, mid)) ??
      (await firstLogBlock(client, address, mid + 1n, to))
    )
  }
}
