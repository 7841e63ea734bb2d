import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { type Child, spawnChild } from './child'
import { StartError } from './preflight'

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

/** What Next.js says when another `next build` holds the same `.next` folder. */
const BUILD_LOCKED = 'Another next build process is already running'
/** How long a start waits for another process's build of the same folder before it gives up. */
const WAIT_FOR_OTHER_BUILD_MS = 10 * 60_000

/**
 * Runs `next build` unless `.next` already holds a build of the current sources. When another
 * process builds the same folder (a second start, tests run side by side), it waits for that
 * build and looks again, instead of failing.
 */
export async function ensureNextBuild({
  root,
  env,
  onLine,
  onStart,
}: {
  root: string
  env: NodeJS.ProcessEnv
  onLine: (line: string) => void
  /** Called with the build's process when one starts (so a Ctrl-C meanwhile stops it too). */
  onStart?: (build: Child) => void
}): Promise<{ built: boolean; ms: number }> {
  const started = performance.now()
  const marker = path.join(root, '.next', 'source-hash')
  const current = await hashInputs(root)
  for (;;) {
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
        if (!line.includes(BUILD_LOCKED)) onLine(line)
      },
    })
    onStart?.(child)
    const code = await child.exited
    if (code === 0) break
    if (
      output.some((line) => line.includes(BUILD_LOCKED)) &&
      performance.now() - started < WAIT_FOR_OTHER_BUILD_MS
    ) {
      await new Promise((r) => setTimeout(r, 1_000))
      continue
    }
    // The last line that names an error ("> Build error occurred" only announces them).
    const cause =
      output.filter((line) => /error|⨯/i.test(line) && !line.startsWith('>')).at(-1) ?? output.at(-1)
    throw new StartError(
      `next build failed (exit ${code})${cause ? ` (${cause.trim()})` : ''}; its lines are above (LOG_LEVEL=debug shows all).`,
    )
  }
  await writeFile(marker, current)
  return { built: true, ms: Math.round(performance.now() - started) }
}

/**
 * Starts the web server on host:port: the web role (stack/roles/web.ts: the production build
 * behind Next.js plus the Payment Server's fast path, as `npm run start:web` runs it), or `next dev`.
 */
export function startNext({
  root,
  host,
  port,
  dev,
  env,
  maxHeapMb,
  onLine,
}: {
  root: string
  host: string
  port: number
  dev: boolean
  env: NodeJS.ProcessEnv
  /** Its V8 old-space limit (WEB_MAX_HEAP_MB). */
  maxHeapMb: number
  onLine: (line: string) => void
}): Child {
  const heap = `--max-old-space-size=${maxHeapMb}`
  const args = dev
    ? [heap, nextBin(), 'dev', '--hostname', host, '--port', String(port)]
    : [
        heap,
        '--import',
        'tsx',
        path.join(root, 'stack', 'roles', 'web.ts'),
        '--hostname',
        host,
        '--port',
        String(port),
      ]
  return spawnChild({
    name: 'web',
    command: process.execPath,
    args,
    cwd: root,
    env: { ...env, NEXT_TELEMETRY_DISABLED: '1', ...(dev ? {} : { NODE_ENV: 'production' }) },
    onLine,
  })
}

/**
 * Polls `url` until the web server answers 200. When the server exits first (a port taken
 * after all, a crash at start), fails at once with the line that says why.
 */
export async function waitForWeb({ web, url, timeoutMs }: { web: Child; url: string; timeoutMs: number }) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const code = web.process.exitCode ?? web.process.signalCode
    if (code !== null) {
      const lines = web.tail().filter((line) => line.trim())
      const cause = lines.filter((line) => /error|EADDRINUSE/i.test(line)).at(-1) ?? lines.at(-1)
      throw new StartError(
        `The web server exited (${code}) before it answered${cause ? ` (${cause.trim()})` : ''}; see its lines above.`,
      )
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) })
      if (res.ok) return
    } catch {
      // Not up yet.
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new StartError(
    `The web server did not answer ${url} within ${timeoutMs / 1000} s; see its lines above.`,
  )
}
