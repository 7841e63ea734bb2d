import type { Address, Hex } from 'viem'
import type { Db } from './db/client'

export const FACTORY_CONTRACT = 'IntermediaryFactory'

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
