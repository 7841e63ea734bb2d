import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import ts from 'typescript'

/** The repository's root (this file is test/imports.ts). */
export const ROOT = path.resolve(import.meta.dirname, '..')

/** Directories never scanned: dependencies, build output, and generated code. */
const SKIP = new Set([
  'node_modules',
  '.next',
  '.data',
  '.git',
  '.scratch',
  'generated',
  'test-results',
  'dist',
])

/** One import of one file: its specifier as written and what it names. */
export type Import = {
  /** The importing file, relative to the root with `/` separators (`lib/server/costs/graph.ts`). */
  file: string
  /** The specifier as written (`'../services'`, `'next/server'`, `'node:http'`). */
  specifier: string
  /**
   * The file it resolves to, relative to the root (`lib/server/services/index.ts`), for relative
   * and `@/` specifiers; null for a package or a Node built-in.
   */
  target: string | null
  /** The package (`next`, `@prisma/client`) or built-in (`node:http`) named; null for a file. */
  module: string | null
}

const builtins = new Set(builtinModules)

/** Every .ts/.tsx file under `dirs` (relative to the root), generated code left out. */
export function sourceFiles(dirs: string[]): string[] {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(ROOT, dir))) {
      if (SKIP.has(name)) continue
      const rel = `${dir}/${name}`
      if (statSync(path.join(ROOT, rel)).isDirectory()) walk(rel)
      else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) files.push(rel)
    }
  }
  for (const dir of dirs) if (existsSync(path.join(ROOT, dir))) walk(dir)
  return files.sort()
}

/** The file a relative or `@/` specifier names, as the bundler resolves it (extension or index). */
function resolveFile(from: string, specifier: string): string {
  const base = specifier.startsWith('@/')
    ? specifier.slice(2)
    : path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier))
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    const full = path.join(ROOT, candidate)
    if (existsSync(full) && statSync(full).isFile()) return candidate
  }
  return base
}

/** The package name of a bare specifier (`@scope/pkg/x` -> `@scope/pkg`, `viem/accounts` -> `viem`). */
function packageOf(specifier: string): string {
  if (specifier.startsWith('node:') || builtins.has(specifier.split('/')[0] as string)) {
    return specifier.startsWith('node:') ? specifier : `node:${specifier}`
  }
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string)
}

/**
 * The imports of one file: `import`/`export ... from`, `import()` and `typeof import()`, read by
 * TypeScript's scanner (no type check), so comments and strings that look like imports are not.
 */
export function importsOf(file: string): Import[] {
  const source = readFileSync(path.join(ROOT, file), 'utf8')
  return ts.preProcessFile(source, true, true).importedFiles.map(({ fileName: specifier }) => {
    const local = specifier.startsWith('.') || specifier.startsWith('@/')
    return {
      file,
      specifier,
      target: local ? resolveFile(file, specifier) : null,
      module: local ? null : packageOf(specifier),
    }
  })
}
