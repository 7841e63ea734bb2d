import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { Abi, Hex } from 'viem'
import { compilerSettings } from '../../contracts/build'

const require = createRequire(import.meta.url)
const solc = require('solc') as { compile(input: string): string }

/**
 * Compiles one self-contained test-only Solidity file (outside contracts/src, e.g.
 * test/kit/contracts/*.sol, scripts/bench/EventPump.sol) with the project's compiler settings
 * and returns `contract`'s ABI and creation bytecode. Throws the compiler's errors.
 * @example const { abi, bytecode } = compileSolidity(path.join(dir, 'EventPump.sol'), 'EventPump')
 */
export function compileSolidity(file: string, contract: string): { abi: Abi; bytecode: Hex } {
  const name = path.basename(file)
  const input = {
    language: 'Solidity',
    sources: { [name]: { content: readFileSync(file, 'utf8') } },
    settings: { ...compilerSettings, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>
  }
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  const compiled = output.contracts[name]?.[contract]
  if (!compiled) throw new Error(`${name} has no contract ${contract}`)
  return { abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}` }
}
