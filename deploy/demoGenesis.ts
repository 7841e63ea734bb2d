/**
 * The demo chain's genesis (compose's `--profile demo` anvil and the Kubernetes demo overlay):
 * anvil's usual chain with the IntermediaryFactory already in it, at DEMO_FACTORY_ADDRESS, so a
 * try-out needs no deployment step (FACTORY_BLOCK=0). The factory has no constructor and no
 * immutables, so its runtime code alone is the deployed contract; anvil still funds its dev
 * accounts. Regenerate after a contract change: `npx tsx deploy/demoGenesis.ts`
 * (deploy/demo.test.ts fails while the committed file is stale).
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { intermediaryFactoryDeployedBytecode } from '../contracts/generated'

/** Where the demo genesis puts the factory (an easy address to recognise). */
export const DEMO_FACTORY_ADDRESS = '0x00000000000000000000000000000000000fac70'

/** Anvil's default chain id, which the demo keeps. */
export const DEMO_CHAIN_ID = 31337

/** The committed genesis file (inside the demo overlay: kustomize reads files only below it). */
export const DEMO_GENESIS_FILE = path.join(
  import.meta.dirname,
  'kubernetes',
  'overlays',
  'demo',
  'anvil-genesis.json',
)

/** The genesis document, as anvil's `--init` reads it. */
export function demoGenesis() {
  return {
    config: { chainId: DEMO_CHAIN_ID },
    nonce: '0x0',
    timestamp: '0x0',
    extraData: '0x',
    gasLimit: '0x1c9c380',
    difficulty: '0x0',
    alloc: { [DEMO_FACTORY_ADDRESS]: { balance: '0x0', code: intermediaryFactoryDeployedBytecode } },
  }
}

/** The file's text: stable JSON, so a regeneration changes it only when the contract did. */
export function demoGenesisText(): string {
  return `${JSON.stringify(demoGenesis(), null, 2)}\n`
}

if (process.argv[1] === import.meta.filename) {
  writeFileSync(DEMO_GENESIS_FILE, demoGenesisText())
  console.log(`wrote ${path.relative(process.cwd(), DEMO_GENESIS_FILE)}`)
}
