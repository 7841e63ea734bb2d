import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
import { anvilUrl } from './chain'

const require = createRequire(import.meta.url)
const run = promisify(execFile)

/** foundry's `cast` from the platform package (spawned directly, like stack/anvil.ts does for anvil). */
export function castBinary(): string {
  const pkg = require.resolve('@foundry-rs/cast-linux-amd64/package.json')
  return path.join(path.dirname(pkg), 'bin', 'cast')
}

/** Runs `cast …` offline (no signature look-ups online) and returns its trimmed stdout. */
export async function cast(...args: string[]): Promise<string> {
  const { stdout } = await run(castBinary(), args, { env: { ...process.env, NO_COLOR: '1' } })
  return stdout.trim()
}

/**
 * Parses cast's JSON without losing digits: cast prints integers up to u64 as JSON numbers
 * (50000000000000001 would become 50000000000000000 in JSON.parse), so bare integers are quoted
 * first. Every integer comes back as a decimal string.
 */
export function parseCastJson(text: string): unknown {
  return JSON.parse(text.replace(/([[,:]\s*)(-?\d+)(?=\s*[,\]}])/g, '$1"$2"'))
}

/** `cast <command> <hash> --json` against the stack's anvil: the node's own transaction or receipt. */
export async function castRpcJson(command: 'tx' | 'receipt', hash: string): Promise<Record<string, unknown>> {
  return parseCastJson(await cast(command, hash, '--json', '--rpc-url', anvilUrl)) as Record<string, unknown>
}

/** A hex quantity (`0x1a`) or a decimal string as an exact decimal string. */
export function decimalOf(value: unknown): string {
  if (typeof value === 'number') throw new Error(`a number lost its exactness: ${value}`)
  return BigInt(String(value)).toString()
}

/**
 * Normalises a value decoded by cast to the explorer API's conventions: integers as decimal
 * strings, addresses and bytes as lowercase hex.
 */
export function normalised(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalised)
  const text = String(value)
  return /^0x[0-9a-fA-F]*$/.test(text) ? text.toLowerCase() : text
}

/**
 * The revert data of a call replayed by `cast call` on the state before block `block` (what
 * the node says the call reverts with, independent of the explorer's own replay); null when
 * the call does not revert there.
 */
export async function castRevertData(p: {
  from: string
  to: string
  input: string
  value: string
  block: bigint
}): Promise<string | null> {
  try {
    await cast(
      'call',
      '--rpc-url',
      anvilUrl,
      '--from',
      p.from,
      '--value',
      p.value,
      '--block',
      String(p.block - 1n),
      p.to,
      p.input,
    )
    return null
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '')
    const data = /data: "(0x[0-9a-fA-F]*)"/.exec(stderr)?.[1]
    if (!data) throw new Error(`cast call failed without revert data: ${stderr}`)
    return data.toLowerCase()
  }
}
