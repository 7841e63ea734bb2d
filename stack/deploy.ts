import { type Address, createWalletClient, type Hex, http, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  intermediaryFactoryAbi,
  intermediaryFactoryBytecode,
  intermediaryFactoryDeployedBytecode,
  intermediaryFactoryV2Abi,
  intermediaryFactoryV2Bytecode,
  intermediaryFactoryV2DeployedBytecode,
} from '../contracts/generated'
import type { Db } from '../lib/server/db/client'
import {
  type DeploymentRecord,
  FACTORY_CONTRACT,
  FACTORY_V2_CONTRACT,
  findDeployment,
  isSameChain,
  recordGivenFactory,
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
  if (p.factoryAddress) {
    const record = await recordGivenFactory({
      db: p.db,
      client: p.client,
      address: p.factoryAddress,
      block: p.factoryBlock,
      log,
    })
    return { ...record, deployed: false }
  }

  return deployOnce(p, V1, true) as Promise<EnsureFactoryResult>
}

/**
 * IntermediaryFactoryV2 (version 2 channels: price tables, categories) beside v1's, by the same
 * rules (the recorded deployment reused when the chain and its code are the same, else deployed
 * once and recorded under its contract name). Without a recorded one and without a deployer key
 * it is not an error: the stack runs v1 channels only, and the Payment Server refuses a channel
 * with a price table (`factory_unknown`) until one is deployed; null then.
 */
export async function ensureFactoryV2(
  p: Omit<EnsureFactoryParameters, 'factoryAddress' | 'factoryBlock'>,
): Promise<EnsureFactoryResult | null> {
  return deployOnce(p, V2, false)
}

/** A factory contract as deployOnce() deploys and recognises it. */
type FactoryBuild = {
  contract: string
  // biome-ignore lint/suspicious/noExplicitAny: either factory's ABI (only its constructor is used)
  abi: any
  bytecode: Hex
  deployedBytecode: Hex
}
const V1: FactoryBuild = {
  contract: FACTORY_CONTRACT,
  abi: intermediaryFactoryAbi,
  bytecode: intermediaryFactoryBytecode,
  deployedBytecode: intermediaryFactoryDeployedBytecode,
}
const V2: FactoryBuild = {
  contract: FACTORY_V2_CONTRACT,
  abi: intermediaryFactoryV2Abi,
  bytecode: intermediaryFactoryV2Bytecode,
  deployedBytecode: intermediaryFactoryV2DeployedBytecode,
}

/** The recorded deployment of `build` if usable, else a new one (or an error / null without a key, as `required`). */
async function deployOnce(
  p: Omit<EnsureFactoryParameters, 'factoryAddress' | 'factoryBlock'>,
  build: FactoryBuild,
  required: boolean,
): Promise<EnsureFactoryResult | null> {
  const log = p.log ?? (() => {})
  const name = build.contract
  const chainId = await p.client.getChainId()
  const genesisHash = (await p.client.getBlock({ blockNumber: 0n })).hash
  const known = await findDeployment({ db: p.db, chainId, contract: build.contract })
  if (known && (await isSameChain(p.client, known))) {
    const code = await p.client.getCode({ address: known.address })
    if (code?.toLowerCase() === build.deployedBytecode.toLowerCase()) return { ...known, deployed: false }
    log(
      code && code !== '0x'
        ? `the ${name} at ${known.address} runs older code; deploying the current build`
        : `no ${name} code at ${known.address} any more; deploying again`,
    )
  } else if (known) {
    log(
      `chain ${chainId} no longer holds block ${known.blockNumber} ${known.blockHash} of the recorded deployment (it was reset); deploying the ${name} again`,
    )
  }

  if (!p.deployerKey) {
    if (!required) {
      log(`no ${name} on chain ${chainId} and no DEPLOYER_PRIVATE_KEY: version 2 channels cannot be opened`)
      return null
    }
    throw new Error(
      `No factory on chain ${chainId}: set FACTORY_ADDRESS to an existing deployment, or DEPLOYER_PRIVATE_KEY to deploy one.`,
    )
  }
  const account = privateKeyToAccount(p.deployerKey)
  const wallet = createWalletClient({ account, chain: p.client.chain, transport: http(p.rpcUrl) })
  const hash = await wallet.deployContract({
    abi: build.abi,
    bytecode: build.bytecode,
    chain: p.client.chain ?? null,
  })
  const receipt = await p.client.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 120_000 })
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new Error(`${name} deployment ${hash} failed.`)
  const record: DeploymentRecord = {
    chainId,
    contract: build.contract,
    address: receipt.contractAddress.toLowerCase() as Address,
    blockNumber: receipt.blockNumber,
    blockHash: receipt.blockHash,
    txHash: hash,
    genesisHash,
  }
  await saveDeployment({ db: p.db, record })
  log(`deployed ${name} at ${record.address} in block ${record.blockNumber} (gas ${receipt.gasUsed})`)
  return { ...record, deployed: true }
}
