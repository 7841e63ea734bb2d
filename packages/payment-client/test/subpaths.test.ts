import { execFile } from 'node:child_process'
import { readdir, readFile, rm } from 'node:fs/promises'
import { createRequire, isBuiltin } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/*
 * The framework entry points as built: every subpath export of package.json is built by tsup,
 * loads as CommonJS and as an ES module, and imports nothing but the package's dependencies and
 * required peers, so a service installs only the framework it uses. Built into a folder of its
 * own (not dist/, which other tests pack), under node_modules/ so the dependencies resolve.
 */

const run = promisify(execFile)
const packageDir = path.resolve(import.meta.dirname, '..')
const outDir = path.join(packageDir, 'node_modules/.cache/subpaths-test')
const manifest = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'))
const optional = new Set(Object.keys(manifest.peerDependenciesMeta ?? {}))
/** What a built entry may import: dependencies and the peers that are not optional. */
const allowed = new Set(
  [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)].filter(
    (m) => !optional.has(m),
  ),
)

/** The functions each framework's entry exports. */
const EXPECTED: Record<string, string[]> = {
  './express': ['paymentRequired'],
  './fastify': ['fastifyPayment', 'paymentPreHandler'],
  './hono': ['honoPayment'],
  './koa': ['koaPayment'],
  './next': ['withPayment'],
}

type Conditions = { import: { types: string; default: string }; require: { types: string; default: string } }
const entries = Object.entries(manifest.exports as Record<string, Conditions | string>).filter(
  (entry): entry is [string, Conditions] => typeof entry[1] !== 'string',
)
/** A dist/ path of package.json, in the test's build folder. */
const built = (file: string) => path.join(outDir, path.relative('./dist', file))

beforeAll(async () => {
  await run('npx', ['tsup', '--out-dir', outDir], { cwd: packageDir })
})
afterAll(async () => rm(outDir, { recursive: true, force: true }))

/**
 * The modules a built file loads, by package name, through the shared chunks it imports (tsup
 * splits the code the entries share into chunks of their own).
 */
async function importsOf(file: string, seen = new Set<string>()): Promise<string[]> {
  seen.add(file)
  const code = await readFile(file, 'utf8')
  const specifiers = [...code.matchAll(/(?:from\s+|require\(|import\()\s*['"]([^'"]+)['"]/g)].map(
    (m) => m[1] as string,
  )
  const modules = new Set<string>()
  for (const s of specifiers) {
    if (s.startsWith('.')) {
      const chunk = path.resolve(path.dirname(file), s)
      if (!seen.has(chunk)) for (const m of await importsOf(chunk, seen)) modules.add(m)
    } else {
      modules.add(
        s
          .split('/')
          .slice(0, s.startsWith('@') ? 2 : 1)
          .join('/'),
      )
    }
  }
  return [...modules].sort()
}

describe('subpath exports', () => {
  it('every framework has its own subpath export, with ESM, CommonJS and their types built', async () => {
    expect(entries.map(([name]) => name).sort()).toEqual(['.', ...Object.keys(EXPECTED)].sort())
    for (const [, conditions] of entries)
      for (const file of [conditions.import, conditions.require].flatMap((c) => [c.types, c.default]))
        await expect(readFile(built(file), 'utf8')).resolves.toBeTruthy()
  })

  it.each(Object.keys(EXPECTED))(
    '%s imports only dependencies and required peers, no framework',
    async (name) => {
      const conditions = entries.find(([n]) => n === name)?.[1] as Conditions
      for (const file of [conditions.import.default, conditions.require.default]) {
        const imported = await importsOf(built(file))
        // Node's own modules (node:http for the keep-alive transport, loaded lazily) are no install.
        expect(imported.filter((m) => !allowed.has(m) && !isBuiltin(m))).toEqual([])
      }
    },
  )

  it('the entries share one copy of the library per format (one PaymentError class, so instanceof holds across entries)', async () => {
    for (const extension of ['.js', '.cjs']) {
      const files = (await readdir(outDir)).filter((f) => f.endsWith(extension))
      const defining: string[] = []
      for (const file of files)
        if (
          /\bPaymentError = class\b|\bclass PaymentError\b/.test(
            await readFile(path.join(outDir, file), 'utf8'),
          )
        )
          defining.push(file)
      expect(defining, extension).toHaveLength(1)
    }
  })

  it.each(Object.keys(EXPECTED))(
    '%s loads as CommonJS and as an ES module with its functions',
    async (name) => {
      const conditions = entries.find(([n]) => n === name)?.[1] as Conditions
      const cjs = createRequire(import.meta.url)(built(conditions.require.default))
      const esm = await import(pathToFileURL(built(conditions.import.default)).href)
      for (const loaded of [cjs, esm])
        for (const fn of EXPECTED[name] as string[])
          expect(typeof loaded[fn], `${name} ${fn}`).toBe('function')
      if (name === './fastify') expect(esm.fastifyPayment[Symbol.for('skip-override')]).toBe(true)
    },
  )
})
