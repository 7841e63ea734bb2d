import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { type Import, importsOf, ROOT, sourceFiles } from './imports'

/**
 * The layers and rooms of the code, and who may import whom (in the spirit of Ponder's
 * `internal/layering.test.ts`). Each rule lists its violations as `file -> 'specifier'` so a
 * failure says what to move. Test code wires features together and starts servers, so only the
 * first rule applies to it, and it may use the test kit.
 */

/**
 * Rooms of lib/server that any code may import whole: plumbing, not features. Files directly in
 * lib/server/ (env, context, log, chain, rpc, indexedChain, tokenCrypto...) are plumbing too.
 * Every other directory of lib/server/ is a feature.
 */
const SHARED_SERVER_ROOMS: Record<string, string> = {
  http: 'the plumbing every JSON API shares: route wrapper, parsers, auth, signed requests, OpenAPI',
  db: 'the Prisma client, migrations and the one codec per stored entity',
}

/** A feature's public face: what another feature or a page may import of it. */
const PUBLIC_FILES: Record<string, string> = {
  'index.ts': "the feature's reads and actions",
  'routes.ts': 'its JSON routes and their OpenAPI operations (assembled per API)',
}

/** Packages lib/ never imports: lib/ is the domain, below the web framework and the UI. */
const FRAMEWORK = /^(next|react|react-dom)$/

/** Layers above lib/: lib's own code (not its tests) never imports them. */
const ABOVE_LIB = /^(app|components|indexer|stack|scripts|example|e2e|test)\//

/** Server-only packages: client-safe code never imports them. */
const SERVER_ONLY_MODULE = /^(node:|@prisma\/|prisma$|pg$)/

/** The client package: its source, and what its package.json lets it load. */
const CLIENT_PACKAGE = 'packages/payment-client/src/'
const clientManifest = JSON.parse(readFileSync(path.join(ROOT, CLIENT_PACKAGE, '../package.json'), 'utf8'))
const CLIENT_PACKAGE_MODULES = new Set(
  Object.keys({ ...clientManifest.dependencies, ...clientManifest.peerDependencies }),
)

/** Genuine exceptions to the rules below: file, specifier, and why it is right. */
const EXCEPTIONS: Array<{ file: string; specifier: string; reason: string }> = [
  {
    file: 'packages/payment-client/src/transport.ts',
    specifier: 'node:http',
    reason: 'the client library runs in Node too; node:http is imported lazily and fetch is used elsewhere',
  },
  {
    file: 'packages/payment-client/src/transport.ts',
    specifier: 'node:https',
    reason: 'the client library runs in Node too; node:https is imported lazily and fetch is used elsewhere',
  },
]

const excepted = (i: Import) => EXCEPTIONS.some((e) => e.file === i.file && e.specifier === i.specifier)
const show = (i: Import) => `${i.file} -> '${i.specifier}'`

/** The feature of lib/server a file belongs to (`costs`), or null for plumbing and other layers. */
function serverFeature(file: string): string | null {
  const room = /^lib\/server\/([^/]+)\//.exec(file)?.[1]
  return room && !(room in SHARED_SERVER_ROOMS) ? room : null
}

const imports = sourceFiles(['lib', 'components', 'app', 'packages']).flatMap(importsOf)

/**
 * Test code, by name: suites (`*.test.ts`, `*.test.tsx`), a feature's shared test setup beside
 * them (`testing.ts`) and fixtures (`*.fixture.ts`). By name, not by who imports it: a file
 * imported only from indexer/, stack/, scripts/ or instrumentation.ts (which this scan does not
 * read) is production code all the same.
 */
const isTest = (file: string) => /(\.test\.tsx?|(^|\/)testing\.ts|\.fixture\.ts)$/.test(file)
const violations = (rule: (i: Import) => boolean) => imports.filter((i) => !excepted(i) && rule(i)).map(show)

describe('layering', () => {
  it('lib/ does not import app/, components/, Next.js or React, nor (outside tests) the layers above it', () => {
    expect(
      violations(
        (i) =>
          i.file.startsWith('lib/') &&
          (FRAMEWORK.test(i.module ?? '') ||
            /^(app|components)\//.test(i.target ?? '') ||
            (!isTest(i.file) && ABOVE_LIB.test(i.target ?? ''))),
      ),
    ).toEqual([])
  })

  it('client-safe code (lib/ outside lib/server/, and components/) imports no server code', () => {
    const clientSafe = (file: string) =>
      (file.startsWith('lib/') && !file.startsWith('lib/server/')) || file.startsWith('components/')
    expect(
      violations(
        (i) =>
          clientSafe(i.file) &&
          !isTest(i.file) &&
          ((i.target?.startsWith('lib/server/') ?? false) || SERVER_ONLY_MODULE.test(i.module ?? '')),
      ),
    ).toEqual([])
  })

  it('a feature or a page imports another feature only through its public face', () => {
    expect(
      violations((i) => {
        const to = serverFeature(i.target ?? '')
        if (!to || isTest(i.file) || !/^(lib\/server|app)\//.test(i.file)) return false
        if (serverFeature(i.file) === to) return false
        const rest = (i.target as string).slice(`lib/server/${to}/`.length)
        return !(rest in PUBLIC_FILES)
      }),
    ).toEqual([])
  })

  it('the client package loads only its own files and what its package.json declares (it is installed alone)', () => {
    const packageName = (module: string) =>
      module
        .split('/')
        .slice(0, module.startsWith('@') ? 2 : 1)
        .join('/')
    expect(
      violations(
        (i) =>
          i.file.startsWith(CLIENT_PACKAGE) &&
          !isTest(i.file) &&
          (i.module === null
            ? !(i.target ?? '').startsWith(CLIENT_PACKAGE)
            : !CLIENT_PACKAGE_MODULES.has(packageName(i.module))),
      ),
    ).toEqual([])
  })

  it('the scan sees every kind of import, and every exception still names one', () => {
    expect(imports.length).toBeGreaterThan(500)
    // typeof import() and import() in transport.ts: dynamic imports are read too.
    expect(imports).toContainEqual(
      expect.objectContaining({ file: 'packages/payment-client/src/transport.ts', module: 'node:http' }),
    )
    const stale = EXCEPTIONS.filter(
      (e) => !imports.some((i) => i.file === e.file && i.specifier === e.specifier),
    )
    expect(stale).toEqual([])
  })
})
