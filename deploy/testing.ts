/**
 * Shared by the deployment artefacts' tests (deploy/*.test.ts): the repository's files, a
 * Dockerfile parser, `.dockerignore` matching, the entry script run for real, and the
 * environment variable names the product reads. No Docker engine or cluster is involved.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { build } from 'esbuild'
import { createPublicClient, http } from 'viem'
import { parseAllDocuments } from 'yaml'
import { SECRET_VARIABLES } from '../lib/server/env'
import { anvilBinary } from '../stack/anvil'
import { type Child, spawnChild } from '../stack/child'
import { freePort } from '../stack/ports'
import { DEMO_GENESIS_FILE } from './demoGenesis'

/** The repository's root. */
export const ROOT = path.resolve(import.meta.dirname, '..')

/** A file of the repository as text. */
export function readRepoFile(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8')
}

/** Every YAML document of a file (merge keys `<<` resolved, as compose and kubectl do). */
export function readYamlDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { merge: true })
  return docs.flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`)
    const value = doc.toJS({ maxAliasCount: -1 })
    return value == null ? [] : [value]
  })
}

/** The image's roles and the npm script each one runs (deploy/docker/entrypoint.sh). */
export const ROLE_SCRIPTS = {
  web: 'start:web',
  indexer: 'start:indexer',
  runner: 'start:runner',
  migrate: 'migrate',
} as const

export type Role = keyof typeof ROLE_SCRIPTS

/** package.json's scripts. */
export function npmScripts(): Record<string, string> {
  return JSON.parse(readRepoFile('package.json')).scripts
}

/** Runs the image's entry script with `sh` here (ENTRYPOINT_DRY_RUN=1 prints, does not exec). */
export function runEntrypoint(args: string[], { appDir = ROOT, dryRun = true } = {}) {
  const result = spawnSync('sh', [path.join(ROOT, 'deploy/docker/entrypoint.sh'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, APP_DIR: appDir, ENTRYPOINT_DRY_RUN: dryRun ? '1' : '' },
  })
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() }
}

/** One Dockerfile instruction: its keyword, `--flags` and the rest of its line. */
export type DockerInstruction = { keyword: string; flags: Record<string, string>; args: string; line: number }

/** One build stage: its base image (ARGs resolved), its `AS` name and its instructions. */
export type DockerStage = { name: string | undefined; base: string; instructions: DockerInstruction[] }

/** A leading `--name=value` (or `--name`) option of an instruction. */
const FLAG = /^--([a-z-]+)(?:=(\S*))?\s*/

/**
 * Parses a Dockerfile as BuildKit does for what the tests look at: line continuations, comment
 * lines (also inside a continued instruction), `--flag=value` options, global ARGs in FROM.
 */
export function parseDockerfile(text: string): { globalArgs: Record<string, string>; stages: DockerStage[] } {
  const instructions: DockerInstruction[] = []
  let pending = ''
  let startLine = 0
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim()
    if (trimmed.startsWith('#') || (trimmed === '' && pending === '')) return
    if (pending === '') startLine = index + 1
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1).trimEnd()} `
      return
    }
    const full = `${pending}${trimmed}`.trim()
    pending = ''
    const match = /^(\S+)\s*(.*)$/.exec(full)
    if (!match) return
    let rest = match[2] ?? ''
    const flags: Record<string, string> = {}
    for (let flag = FLAG.exec(rest); flag; flag = FLAG.exec(rest)) {
      flags[flag[1] as string] = flag[2] ?? 'true'
      rest = rest.slice(flag[0].length)
    }
    instructions.push({ keyword: (match[1] as string).toUpperCase(), flags, args: rest, line: startLine })
  })
  const globalArgs: Record<string, string> = {}
  const stages: DockerStage[] = []
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/)
      const base = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => globalArgs[a ?? b] ?? '')
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, base, instructions: [] })
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [key = '', value = ''] = instruction.args.split('=')
      globalArgs[key] = value
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  }
  return { globalArgs, stages }
}

/** `KEY=value` pairs of an ENV instruction (the `ENV a=1 b=2` form; values without spaces). */
export function envPairs(args: string): Record<string, string> {
  return Object.fromEntries(
    args
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf('=')
        return [pair.slice(0, at), pair.slice(at + 1)]
      }),
  )
}

/** The environment the image's runtime stage sets (its ENV instructions), as the roles see it. */
export function imageEnv(): Record<string, string> {
  const runtime = parseDockerfile(readRepoFile('Dockerfile')).stages.at(-1)
  const envs = runtime?.instructions.filter((i) => i.keyword === 'ENV') ?? []
  return Object.assign({}, ...envs.map((i) => envPairs(i.args)))
}

/** A JSON-array (exec form) argument of CMD, ENTRYPOINT or HEALTHCHECK CMD. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args)
  if (!Array.isArray(parsed) || !parsed.every((word) => typeof word === 'string')) {
    throw new Error(`not an exec form: ${args}`)
  }
  return parsed
}

/** A `.dockerignore` pattern as a regular expression over a slash-separated relative path. */
function ignorePattern(pattern: string): RegExp {
  const clean = pattern.replace(/^\/+/, '').replace(/\/+$/, '')
  let source = ''
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i] as string
    if (c === '*' && clean[i + 1] === '*') {
      source += '.*'
      i++
      if (clean[i + 1] === '/') i++
    } else if (c === '*') source += '[^/]*'
    else if (c === '?') source += '[^/]'
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

/**
 * Whether Docker leaves `relative` out of the build context: the last matching pattern wins
 * (`!` re-includes), and a pattern that matches a folder leaves out everything below it.
 */
export function dockerIgnored(dockerignore: string, relative: string): boolean {
  const patterns = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
  const parts = relative.split('/')
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'))
  let ignored = false
  for (const pattern of patterns) {
    const negate = pattern.startsWith('!')
    const regex = ignorePattern(negate ? pattern.slice(1) : pattern)
    if (prefixes.some((prefix) => regex.test(prefix))) ignored = !negate
  }
  return ignored
}

/** Product source files (TypeScript outside tests, node_modules and generated trees). */
function productSources(): string[] {
  const files: string[] = []
  const visit = (dir: string) => {
    for (const name of readdirSync(path.join(ROOT, dir))) {
      const rel = path.join(dir, name)
      if (['node_modules', 'generated', '.next'].includes(name)) continue
      if (statSync(path.join(ROOT, rel)).isDirectory()) visit(rel)
      else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) files.push(rel)
    }
  }
  for (const dir of ['lib', 'indexer', 'stack', 'scripts', 'app']) visit(dir)
  if (existsSync(path.join(ROOT, 'instrumentation.ts'))) files.push('instrumentation.ts')
  return files
}

/**
 * The environment variables the product reads: the upper-case keys of its zod environment
 * schemas (`NAME: z.…`, `NAME: port(3000)`, in a module that imports zod), direct `process.env.NAME` reads in its sources, and `<NAME>_FILE` of every
 * secret (lib/server/env.ts reads those files).
 */
export function productEnvNames(): Set<string> {
  const names = new Set<string>(SECRET_VARIABLES.map((name) => `${name}_FILE`))
  for (const file of productSources()) {
    const text = readRepoFile(file)
    // An upper-case key of an object in a module that builds zod schemas: an environment schema's.
    if (/from 'zod'/.test(text)) {
      for (const m of text.matchAll(/^\s*([A-Z][A-Z0-9_]+)\s*:/gm)) names.add(m[1] as string)
    }
    for (const m of text.matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)) names.add(m[1] as string)
    for (const m of text.matchAll(/process\.env\[['"]([A-Z][A-Z0-9_]+)['"]\]/g)) names.add(m[1] as string)
  }
  return names
}

/**
 * Environment names that deployment files may set though the product does not read them:
 * Node's, Next.js's and the shell's own.
 */
export const PLATFORM_ENV_NAMES = new Set(['PATH', 'NODE_OPTIONS', 'NEXT_TELEMETRY_DISABLED'])

/** The names of `names` that neither the product nor the platform reads. */
let envNames: Set<string> | undefined

export function unreadEnvNames(names: Iterable<string>): string[] {
  // Read once per test file: the product's sources do not change during a run.
  envNames ??= productEnvNames()
  const read = envNames
  return [...new Set(names)].filter((name) => !read.has(name) && !PLATFORM_ENV_NAMES.has(name)).sort()
}

/**
 * The npm packages that `entries` (repository paths) import, statically or by a literal dynamic
 * import, through every module of the repository they reach: what a process started from
 * them loads from node_modules. esbuild (tsx's own) resolves the graph; nothing is written.
 */
export async function importedPackages(entries: string[]): Promise<Set<string>> {
  const result = await build({
    entryPoints: entries,
    absWorkingDir: ROOT,
    outdir: path.join(ROOT, '.scratch', 'unwritten'),
    bundle: true,
    write: false,
    metafile: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    jsx: 'automatic',
    alias: { '@': '.' },
    loader: { '.css': 'empty', '.svg': 'empty', '.png': 'empty' },
    logLevel: 'silent',
  })
  const packages = new Set<string>()
  for (const input of Object.values(result.metafile.inputs)) {
    for (const { path: spec, external } of input.imports) {
      // Relative externals are the generated Prisma client's own files.
      if (!external || spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec))
        continue
      packages.add(
        spec
          .split('/')
          .slice(0, spec.startsWith('@') ? 2 : 1)
          .join('/'),
      )
    }
  }
  return packages
}

/** A real anvil on 127.0.0.1 started from the demo genesis (the factory in block 0), answering. */
export async function startDemoChain(): Promise<{ url: string; anvil: Child }> {
  const port = await freePort()
  const anvil = spawnChild({
    name: 'anvil',
    command: anvilBinary(),
    args: ['--host', '127.0.0.1', '--port', String(port), '--init', DEMO_GENESIS_FILE, '--silent'],
  })
  const url = `http://127.0.0.1:${port}`
  await createPublicClient({ transport: http(url, { retryCount: 100, retryDelay: 50 }) }).getChainId()
  return { url, anvil }
}
