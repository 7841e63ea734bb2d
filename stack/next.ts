import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { type Child, spawnChild } from './child'

const require = createRequire(import.meta.url)
const nextBin = () => path.join(path.dirname(require.resolve('next/package.json')), 'dist', 'bin', 'next')

/** Inputs of `next build`: when their hash changes, the build is stale. */
const BUILD_INPUTS = [
  'app',
  'components',
  'lib',
  'contracts/generated',
  'public',
  'next.config.js',
  'instrumentation.ts',
  'tsconfig.json',
  'package-lock.json',
]

async function hashInputs(root: string): Promise<string> {
  const hash = createHash('sha256')
  const visit = async (rel: string): Promise<void> => {
    const full = path.join(root, rel)
    if (!existsSync(full)) return
    const info = await stat(full)
    if (info.isDirectory()) {
      const names = (await readdir(full)).filter((n) => n !== 'node_modules' && !n.startsWith('.')).sort()
      for (const name of names) await visit(path.join(rel, name))
    } else if (!/\.test\.tsx?$/.test(rel)) {
      hash
        .update(rel)
        .update('\0')
        .update(await readFile(full))
        .update('\0')
    }
  }
  for (const input of BUILD_INPUTS) await visit(input)
  return hash.digest('hex')
}

/** Runs `next build` unless `.next` already holds a build of the current sources. */
export async function ensureNextBuild({
  root,
  env,
  onLine,
}: {
  root: string
  env: NodeJS.ProcessEnv
  onLine: (line: string) => void
}): Promise<{ built: boolean; ms: number }> {
  const started = performance.now()
  const marker = path.join(root, '.next', 'source-hash')
  const current = await hashInputs(root)
  if (existsSync(path.join(root, '.next', 'BUILD_ID')) && existsSync(marker)) {
    if ((await readFile(marker, 'utf8')) === current) return { built: false, ms: 0 }
  }
  const output: string[] = []
  const child = spawnChild({
    name: 'next build',
    command: process.execPath,
    args: [nextBin(), 'build'],
    cwd: root,
    env: { ...env, NEXT_TELEMETRY_DISABLED: '1' },
    onLine: (line) => {
      output.push(line)
      onLine(line)
    },
  })
  const code = await child.exited
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output.slice(-40).join('\n')}`)
  await writeFile(marker, current)
  return { built: true, ms: Math.round(performance.now() - started) }
}

/**
 * Starts the web server on host:port: the production build behind stack/web.ts (Next.js plus
 * the Payment Server's fast path), or `next dev`.
 */
export function startNext({
  root,
  host,
  port,
  dev,
  env,
  onLine,
}: {
  root: string
  host: string
  port: number
  dev: boolean
  env: NodeJS.ProcessEnv
  onLine: (line: string) => void
}): Child {
  const args = dev
    ? [nextBin(), 'dev', '--hostname', host, '--port', String(port)]
    : ['--import', 'tsx', path.join(root, 'stack', 'web.ts'), '--hostname', host, '--port', String(port)]
  return spawnChild({
    name: 'web',
    command: process.execPath,
    args,
    cwd: root,
    env: { ...env, NEXT_TELEMETRY_DISABLED: '1', ...(dev ? {} : { NODE_ENV: 'production' }) },
    onLine,
  })
}

/** Polls `url` until it answers 200 or `timeoutMs` passes. */
export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`the web server exited before ${url} answered`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) })
      if (res.ok) return
    } catch {
      // Not up yet.
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`)
}
