/**
 * `npm run deploy:factory`: deploys the channel factory once for a deployment on several
 * machines (npm start does it for its local chain) and records it in the database, where the
 * web, indexer and runner roles find it, so they need no FACTORY_ADDRESS. Needs DATABASE_URL
 * (migrated: `npm run migrate` first), RPC_URL and DEPLOYER_PRIVATE_KEY (an account with ether
 * for the gas; used for this one transaction, never given to the roles). With FACTORY_ADDRESS
 * instead, it records that factory (its start block from FACTORY_BLOCK or its first event).
 * Run again, it finds the recorded factory and deploys nothing. Prints FACTORY_ADDRESS and
 * FACTORY_BLOCK, which the roles may also be given.
 */
import type { Hex } from 'viem'
import { createChainClient } from '../../lib/server/chain'
import { createDb } from '../../lib/server/db/client'
import { ensureFactory, ensureFactoryV2 } from '../deploy'
import { roleEnv, runRole, SettingError } from './role'

runRole('deploy', async (log) => {
  const env = roleEnv('npm run deploy:factory', ['DATABASE_URL', 'RPC_URL'])
  if (!env.FACTORY_ADDRESS && !env.DEPLOYER_PRIVATE_KEY)
    throw new SettingError(
      'npm run deploy:factory needs DEPLOYER_PRIVATE_KEY (an account with ether for the gas) to deploy the factory, or FACTORY_ADDRESS to record one deployed already (README, "Run it in production").',
    )
  const db = createDb({ databaseUrl: env.DATABASE_URL, max: 1 })
  try {
    const factory = await ensureFactory({
      db,
      client: createChainClient({ rpcUrl: env.RPC_URL, timeoutMs: env.RPC_TIMEOUT_MS }),
      rpcUrl: env.RPC_URL,
      factoryAddress: env.FACTORY_ADDRESS,
      factoryBlock: env.FACTORY_BLOCK,
      deployerKey: env.DEPLOYER_PRIVATE_KEY as Hex | undefined,
      log: (line) => log.info(line),
    })
    log.info(
      `factory ${factory.deployed ? 'deployed' : 'recorded'} on chain ${factory.chainId}: FACTORY_ADDRESS=${factory.address} FACTORY_BLOCK=${factory.blockNumber}`,
    )
    const v2 = await ensureFactoryV2({
      db,
      client: createChainClient({ rpcUrl: env.RPC_URL, timeoutMs: env.RPC_TIMEOUT_MS }),
      rpcUrl: env.RPC_URL,
      deployerKey: env.DEPLOYER_PRIVATE_KEY as Hex | undefined,
      log: (line) => log.info(line),
    })
    if (v2) log.info(`IntermediaryFactoryV2 ${v2.deployed ? 'deployed' : 'recorded'} at ${v2.address}`)
  } finally {
    await db.$disconnect()
  }
})
