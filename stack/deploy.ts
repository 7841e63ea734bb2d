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

  const chainId = await p.client.getChainId()
  const genesisHash = (await p.client.getBlock({ blockNumber: 0n })).hash
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
