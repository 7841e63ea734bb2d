import type { Address, Hex, PublicClient } from 'viem'
import type { Db } from './db/client'

export const FACTORY_CONTRACT = 'IntermediaryFactory'
/** The deployment record of the version 2 factory (IntermediaryFactoryV2), beside v1's. */
export const FACTORY_V2_CONTRACT = 'IntermediaryFactoryV2'

export type DeploymentRecord = {
  chainId: number
  contract: string
  address: Address
  blockNumber: bigint
  blockHash: Hex
  txHash: Hex | null
  genesisHash: Hex
}

/** The recorded deployment of `contract` on `chainId`, if any. */
export async function findDeployment({
  db,
  chainId,
  contract = FACTORY_CONTRACT,
}: {
  db: Db
  chainId: number
  contract?: string
}): Promise<DeploymentRecord | null> {
  const row = await db.deployment.findUnique({ where: { chainId_contract: { chainId, contract } } })
  if (!row) return null
  return {
    chainId: row.chainId,
    contract: row.contract,
    address: row.address as Address,
    blockNumber: row.blockNumber,
    blockHash: row.blockHash as Hex,
    txHash: row.txHash as Hex | null,
    genesisHash: row.genesisHash as Hex,
  }
}

/** Records (or replaces) a deployment; addresses and hashes are stored lowercase. */
export async function saveDeployment({ db, record }: { db: Db; record: DeploymentRecord }): Promise<void> {
  const data = {
    address: record.address.toLowerCase(),
    blockNumber: record.blockNumber,
    blockHash: record.blockHash.toLowerCase(),
    txHash: record.txHash?.toLowerCase() ?? null,
    genesisHash: record.genesisHash.toLowerCase(),
  }
  await db.deployment.upsert({
    where: { chainId_contract: { chainId: record.chainId, contract: record.contract } },
    create: { chainId: record.chainId, contract: record.contract, ...data },
    update: data,
  })
}

/**
 * Records the deployment of a factory given by its address (FACTORY_ADDRESS), which must have
 * code on the chain of `client`, and resolves with the record. The indexer starts at `block`
 * (FACTORY_BLOCK) or, without it, at {@link factoryStartBlock}. A deployment this database
 * recorded for that address on this chain stays as it is (npm start deployed it, or an earlier
 * start found its block): its transaction is known and its block already found.
 * @example await recordGivenFactory({ db, client, address: env.FACTORY_ADDRESS, block: env.FACTORY_BLOCK })
 */
export async function recordGivenFactory({
  db,
  client,
  address: given,
  block: givenBlock,
  log = () => {},
}: {
  db: Db
  client: PublicClient
  address: Address
  block?: bigint
  log?: (line: string) => void
}): Promise<DeploymentRecord> {
  const address = given.toLowerCase() as Address
  const chainId = await client.getChainId()
  const code = await client.getCode({ address })
  if (!code || code === '0x') throw new Error(`FACTORY_ADDRESS ${given} has no code on chain ${chainId}.`)
  const known = await findDeployment({ db, chainId })
  const same = known?.address.toLowerCase() === address && (await isSameChain(client, known))
  if (same && (givenBlock === undefined || givenBlock === known.blockNumber)) return known
  const start = givenBlock === undefined ? await factoryStartBlock(client, address) : null
  const blockNumber = start?.block ?? (givenBlock as bigint)
  const [block, genesis] = await Promise.all([
    client.getBlock({ blockNumber }),
    client.getBlock({ blockNumber: 0n }),
  ])
  const record: DeploymentRecord = {
    chainId,
    contract: FACTORY_CONTRACT,
    address,
    blockNumber,
    blockHash: block.hash,
    txHash: same ? known.txHash : null,
    genesisHash: genesis.hash,
  }
  await saveDeployment({ db, record })
  if (start)
    log(
      `FACTORY_BLOCK is not set: the indexer starts at block ${blockNumber}, ${start.from === 'event' ? "the factory's first event" : 'the head (the factory has emitted no event yet)'}`,
    )
  return record
}

/**
 * True when the chain still holds the recorded deployment block. The genesis hash cannot tell:
 * a reset anvil keeps its chain id and genesis hash, while an anvil reloaded from its state file
 * regenerates block 0 with a new timestamp (new hash) and keeps every later block. The
 * deployment block's hash is what identifies the chain.
 */
export async function isSameChain(client: PublicClient, known: DeploymentRecord): Promise<boolean> {
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
async function factoryStartBlock(
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
async function firstLogBlock(
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
