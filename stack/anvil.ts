import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { type Child, spawnChild } from './child'
import { freePort } from './ports'

const require = createRequire(import.meta.url)

/** Anvil's default mnemonic: its dev accounts are public knowledge and hold only test ether. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'

/** Private keys of anvil's first dev accounts (derived from ANVIL_MNEMONIC). */
export const ANVIL_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
] as const

export type Anvil = Child & { url: string; port: number }

export type StartAnvilParameters = {
  port?: number
  chainId?: number
  /**
   * File to load the chain from and dump it to on exit and every 10 s, so a local chain
   * survives restarts and crashes.
   */
  statePath?: string
  /** Write anvil's output to this file (see SpawnChildParameters.logFile) instead of `onLine`. */
  logFile?: string
  /** Seconds between blocks; instant mining (a block per transaction) when unset. */
  blockTime?: number
  /** Block gas limit (anvil's default when unset); benchmarks raise it for huge transactions. */
  gasLimit?: bigint
  onLine?: (line: string) => void
}

/** The anvil binary shipped in the platform package (spawned directly: the npm wrapper can leave it orphaned). */
export function anvilBinary(): string {
  const pkg = require.resolve('@foundry-rs/anvil-linux-amd64/package.json')
  return path.join(path.dirname(pkg), 'bin', 'anvil')
}

/** Starts anvil on 127.0.0.1 and resolves once it answers JSON-RPC. */
export async function startAnvil(parameters: StartAnvilParameters = {}): Promise<Anvil> {
  const port = parameters.port ?? (await freePort())
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--chain-id',
    String(parameters.chainId ?? 31337),
  ]
  if (parameters.statePath) args.push('--state', parameters.statePath, '--state-interval', '10')
  if (parameters.blockTime) args.push('--block-time', String(parameters.blockTime))
  if (parameters.gasLimit) args.push('--gas-limit', parameters.gasLimit.toString())
  const output: string[] = []
  const child = spawnChild({
    name: 'anvil',
    command: anvilBinary(),
    args,
    logFile: parameters.logFile,
    onLine: (line) => {
      if (output.length < 200) output.push(line)
      parameters.onLine?.(line)
    },
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) break
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      })
      if (res.ok) return Object.assign(child, { url, port })
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  await child.stop()
  // The cause is in anvil's own last lines (in its log file when it writes one).
  const lines = parameters.logFile
    ? (await readFile(parameters.logFile, 'utf8').catch(() => '')).split('\n')
    : output
  const last = lines.filter((line) => line.trim()).slice(-3)
  const where = parameters.logFile ? `; see ${parameters.logFile}` : ''
  throw new Error(
    `anvil did not start on port ${port}${last.length ? ` (${last.join(' | ')})` : ''}${where}.`,
  )
}
