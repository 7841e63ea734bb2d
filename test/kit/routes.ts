import { readdirSync } from 'node:fs'
import path from 'node:path'

/** The repository's app/ folder, which Next.js serves paths from. */
const appDir = path.resolve(import.meta.dirname, '../../app')

/** The methods a Next.js route file can export a handler for. */
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * Every route.ts under `dir` (a folder of app/), by the OpenAPI path it serves
 * (`app/api/blocks/[number]/route.ts` -> `/api/blocks/{number}`).
 */
export function routeFilesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>()
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (path.basename(entry) !== 'route.ts') continue
    const served = path
      .relative(appDir, path.join(dir, path.dirname(entry)))
      .split(path.sep)
      .join('/')
    files.set(`/${served}`.replace(/\[(\w+)\]/g, '{$1}'), path.join(dir, entry))
  }
  return files
}

/** What {@link routeModules} found of one route file: its module and the table routes it serves. */
export type RouteModule<R> = { urlPath: string; file: string; module: Record<string, unknown>; routes: R[] }

/**
 * Each route file's module with the routes of `table` at its path, after checking that the files
 * serve exactly the table's paths and each exports exactly the handlers of its routes' methods.
 */
export async function routeModules<R extends { path: string; method: string }>(
  files: Map<string, string>,
  table: readonly R[],
): Promise<RouteModule<R>[]> {
  // Vitest is loaded here, not at the top: the Playwright specs import routeFilesUnder(), and
  // loading Vitest's expect beside Playwright's would share the jest matchers' global state.
  const { expect } = await import('vitest')
  expect([...files.keys()].sort()).toEqual([...new Set(table.map((r) => r.path))].sort())
  const found: RouteModule<R>[] = []
  for (const [urlPath, file] of files) {
    const module: Record<string, unknown> = await import(file)
    const exported = Object.keys(module).filter((name) => HTTP_METHODS.includes(name))
    const routes = table.filter((r) => r.path === urlPath)
    expect(exported.sort(), file).toEqual(routes.map((r) => r.method.toUpperCase()).sort())
    found.push({ urlPath, file, module, routes })
  }
  return found
}
