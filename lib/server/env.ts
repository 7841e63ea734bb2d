import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { errorText } from '../errorText'

const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional())
const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback)
const hex32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key')
  .optional()
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address')
  .transform((a) => a.toLowerCase() as `0x${string}`)
  .optional()

/**
 * Every environment variable the product reads, validated in one place (README, "Configuration").
 * Secrets (DATABASE_URL's password, DEPLOYER_PRIVATE_KEY) are never logged.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Postgres to use; an embedded one is started by `npm start` when unset. */
  DATABASE_URL: optionalUrl,
  /** JSON-RPC endpoint of the chain; a local anvil is started by `npm start` when unset. */
  RPC_URL: optionalUrl,
  HOST: z.string().default('127.0.0.1'),
  PORT: port(3000),
  /**
   * Largest V8 heap (old space) of the web server `npm start` runs, MB. Unbounded, V8 on a big
   * machine lets a busy web process's garbage pile up to gigabytes between full collections;
   * its live heap stays near 200 MB (`payment_nodejs_heap_live_bytes`). Raise it for large
   * cost graphs; under a container's memory limit Node sizes its heap by the limit anyway.
   */
  WEB_MAX_HEAP_MB: z.coerce.number().int().min(128).max(65_536).default(512),
  /**
   * Connections of the web process's database pool (Prisma: pages, APIs, the Payment Server's
   * statements other than tokens'). Each instance holds up to this many of Postgres's
   * `max_connections`: size it by the instances a database serves.
   */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1_000).default(10),
  /** Connections of the Payment Server's own pool for the statements of every token (issue, verify). */
  PAYMENT_DB_POOL_SIZE: z.coerce.number().int().min(1).max(1_000).default(4),
  /** Connections of the indexer's database pool (one writer; reads of its status beside it). */
  INDEXER_DB_POOL_SIZE: z.coerce.number().int().min(1).max(1_000).default(3),
  /**
   * Milliseconds one JSON-RPC call of the web process and the Payment Server may take before it
   * fails (retried twice); the indexer's own calls have theirs (INDEXER_RPC_TIMEOUT_MS).
   */
  RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Project-local folder for the embedded Postgres, the anvil state and local credentials. */
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_PG_PORT: port(54320),
  ANVIL_PORT: port(8545),
  ANVIL_CHAIN_ID: z.coerce.number().int().positive().default(31337),
  /** Seconds between anvil blocks; 0 means a block per transaction. */
  ANVIL_BLOCK_TIME: z.coerce.number().int().min(0).default(2),
  /** An already deployed factory (production); deployed by `npm start` when unset. */
  FACTORY_ADDRESS: address,
  /** Block the factory was deployed in; the indexer starts there. */
  FACTORY_BLOCK: z.coerce.bigint().nonnegative().optional(),
  /** Key that deploys the factory on a chain given by RPC_URL (anvil uses its first dev account). */
  DEPLOYER_PRIVATE_KEY: hex32,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /**
   * `json` (one JSON object per line) or `pretty` (text); unset: pretty when stdout is a
   * terminal, else JSON (lib/server/log.ts).
   */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** An API call slower than this is logged (a warning with its route, status and request id), ms. */
  LOG_SLOW_MS: z.coerce.number().int().min(1).default(1_000),
  /** Blocks behind the head after which the indexer treats a block as final (reorg window). */
  INDEXER_FINALITY_DEPTH: z.coerce.number().int().min(1).max(10_000).default(12),
  /**
   * `all`: every block header (a dev or private chain); `relevant`: only blocks holding an
   * indexed transaction (a public chain; failed calls to channels are then not found).
   */
  INDEXER_BLOCKS: z.enum(['all', 'relevant']).default('all'),
  /** Milliseconds between head polls when caught up. */
  INDEXER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  /** Milliseconds one JSON-RPC call or batch of the indexer may take (it retries with backoff). */
  INDEXER_RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** Largest block range of one eth_getLogs request (ranges shrink and grow within it). */
  INDEXER_MAX_BLOCK_RANGE: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** Logs per eth_getLogs response the range adapts towards. */
  INDEXER_TARGET_LOGS: z.coerce.number().int().min(10).max(1_000_000).default(5_000),
  /**
   * Payment Server: bearer key of the team's admin (registers services, rotates API keys, reads
   * metrics). At least 32 characters; `npm start` generates one into DATA_DIR when unset.
   */
  PAYMENT_ADMIN_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** 32-byte hex key that encrypts the services' private keys at rest (AES-256-GCM). */
  PAYMENT_KEYSTORE_SECRET: z
    .string()
    .regex(/^(0x)?[0-9a-fA-F]{64}$/, 'must be 32 bytes of hex')
    .optional(),
  /** Seconds after a redemption started during which tokens of the expiring ID are still accepted. */
  PAYMENT_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
  /** Milliseconds a channel's on-chain state is reused before it is read again. */
  PAYMENT_CHAIN_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(1_000),
  /**
   * Worker threads that recover token signatures for the verifier (0: on the main thread).
   * Unset: one fewer than the machine's cores, at most 4.
   */
  PAYMENT_RECOVER_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  /**
   * libsecp256k1 for token signing and verification (lib/server/secp256k1.ts): unset, the
   * system's when one is installed, else the bundled npm addon; `bundled`; or a library's
   * file name or path, which must load.
   */
  SECP256K1_LIBRARY: z.string().trim().min(1).optional(),
  /**
   * Most request counts of one channel an instance takes ahead of its demand, so that most
   * tokens are signed without a database statement (0: every batch takes exactly its counts).
   * A killed instance's counts are lost: the consumer pays for at most this many per channel.
   */
  PAYMENT_ISSUE_AHEAD: z.coerce.number().int().min(0).max(10_000).default(64),
  /** Bound on the missing-count ranges kept per token ID. */
  PAYMENT_MAX_MISSING_RANGES: z.coerce.number().int().min(1).max(100_000).default(1_000),
  /** Seconds after which a count still missing (a token that never came) is forgotten and refused. */
  PAYMENT_MISSING_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /**
   * Seconds a channel's last known state keeps serving issue and verify while the chain node does
   * not answer (0: never); never past a deadline that state names (lib/server/payment/channelStateCache.ts).
   * 3 minutes: long enough for a node restart, short next to the usual redemption timeouts.
   */
  PAYMENT_STALE_STATE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(180),
  /** Start a redemption when the active token's first acceptance is this old (seconds)... */
  PAYMENT_REDEEM_AFTER_SECONDS: z.coerce.number().int().min(1).default(3_600),
  /** ...or when its accepted value reaches this many wei. */
  PAYMENT_REDEEM_VALUE_WEI: z.coerce
    .bigint()
    .positive()
    .default(10n ** 18n),
  /**
   * Addresses (comma-separated) whose wallet signature may edit service labels; `npm start`
   * on its local anvil makes the deployer account one. Unset: only the admin key may edit.
   */
  LABEL_ADMINS: z
    .string()
    .regex(/^\s*(0x[0-9a-fA-F]{40}\s*(,\s*0x[0-9a-fA-F]{40}\s*)*)?$/, 'must be comma-separated 0x addresses')
    .optional(),
  /**
   * Payment Server rate limits, per process (0: off). Tokens issued or verified per second per
   * API key (bursts of twice as many pass)...
   */
  PAYMENT_RATE_PER_KEY: z.coerce.number().int().min(0).max(10_000_000).default(20_000),
  /** ...calls per second per client address, whatever the key (bursts of twice as many)... */
  PAYMENT_RATE_PER_ADDRESS: z.coerce.number().int().min(0).max(10_000_000).default(40_000),
  /** ...calls with a missing or unknown API key per second per client address (bursts of ten times)... */
  PAYMENT_AUTH_FAILURES_PER_ADDRESS: z.coerce.number().int().min(0).max(1_000_000).default(20),
  /** ...look-ups of channels the process does not hold yet per second per API key (bursts of ten times)... */
  PAYMENT_CHANNEL_LOOKUPS_PER_KEY: z.coerce.number().int().min(0).max(1_000_000).default(20),
  /**
   * ...and calls of one API key in progress at once: more wait their turn before their body is
   * read (up to 32 times as many; beyond, 429), so one key's flood does not queue ahead of others.
   */
  PAYMENT_MAX_IN_FLIGHT_PER_KEY: z.coerce.number().int().min(0).max(1_000_000).default(32),
  /**
   * Calls of one API key refused (4xx) per second (bursts of twice as many); past them the
   * key's calls get 429 before their body is read, until its bucket refills.
   */
  PAYMENT_REFUSALS_PER_KEY: z.coerce.number().int().min(0).max(1_000_000).default(1_000),
  /** Milliseconds a 429 of the rate limits is held before it is sent (0: at once). */
  PAYMENT_RATE_LIMITED_HOLD_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /** `on`: this process runs the background runner (one instance at a time holds its lock). */
  PAYMENT_RUNNER: z.enum(['on', 'off']).default('on'),
  /** Milliseconds between two rounds of the background runner. */
  PAYMENT_RUNNER_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(1_000),
  /**
   * Milliseconds between two evaluations of the alert rules by the runner's leader (each reads
   * the budgets' periods and the rules' windows from the index); due deliveries go every round.
   */
  ALERTS_EVALUATE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** The dashboard's public URL, to link Slack alerts to its alert history (`<url>/alerts`). */
  ALERTS_DASHBOARD_URL: optionalUrl,
  /**
   * Lets alert webhooks point at loopback, private and link-local addresses (a local receiver);
   * off, such URLs are refused at input and at connect time (SSRF).
   */
  ALERTS_ALLOW_PRIVATE_WEBHOOKS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Blocks deep the runner watches its mined transactions for reorgs. */
  PAYMENT_CONFIRMATIONS: z.coerce.number().int().min(1).max(10_000).default(12),
  /** Blocks after which a sent transaction the node does not have counts as dropped (and is decided again). */
  PAYMENT_DROP_AFTER_BLOCKS: z.coerce.number().int().min(1).max(10_000).default(3),
  /** Blocks after which one the node has but did not mine is replaced (same nonce, higher fees). */
  PAYMENT_REPLACE_AFTER_BLOCKS: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Milliseconds an admin API call waits for its transaction's receipt before answering 504. */
  PAYMENT_RECEIPT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  /**
   * Channels with series of their own in the metrics (pending and settled wei, runway), those
   * with the most value pending; the totals count every channel (lib/server/payment/channelMetrics.ts).
   */
  PAYMENT_METRICS_TOP_CHANNELS: z.coerce.number().int().min(1).max(10_000).default(100),
  /**
   * Whether `npm start` runs the example network (services, channels, live traffic). Unset: only
   * on the local anvil it starts itself (never spending real ether unasked).
   */
  EXAMPLE: z.enum(['on', 'off']).optional(),
  /** Requests per second of the example network's live traffic (0: none). */
  EXAMPLE_TRAFFIC_PER_SECOND: z.coerce.number().min(0).max(1_000).default(2),
  /** `off` runs the example services without tokens (the benchmark's baseline). */
  EXAMPLE_PAYMENTS: z.enum(['on', 'off']).default('on'),
  /** Payment Server the example network talks to (`npm run example`); default http://HOST:PORT. */
  PAYMENT_URL: optionalUrl,
  /** Key that gives the example services' accounts ether on a dev chain (npm start: an anvil key). */
  EXAMPLE_FUNDER_KEY: hex32,
  /**
   * Set by `npm start` for its children: the file in DATA_DIR where it writes how far its start
   * is (lib/server/system/stackStatus.ts), which GET /api/readyz reads.
   */
  STACK_STATUS_FILE: z.string().min(1).optional(),
  /**
   * A fiat currency the money views may be shown in (ISO 4217 code, `USD`), at DISPLAY_RATE
   * units of it per ETH (`3125.40`, converted exactly as a fraction). Both or neither
   * ({@link pairProblems}); unset: no fiat choice (lib/units.ts).
   */
  DISPLAY_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 currency code such as USD')
    .optional(),
  DISPLAY_RATE: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a decimal number such as 3125.40 (the currency per ETH)')
    .refine((v) => /[1-9]/.test(v), 'must be more than 0')
    .optional(),
})

/** Variables that only mean something together, as `VARIABLE: what is wrong` when one is alone. */
const pairProblems = (e: Env): string[] =>
  (e.DISPLAY_CURRENCY === undefined) === (e.DISPLAY_RATE === undefined)
    ? []
    : [
        `${e.DISPLAY_CURRENCY === undefined ? 'DISPLAY_CURRENCY' : 'DISPLAY_RATE'}: DISPLAY_CURRENCY and DISPLAY_RATE go together: set both, or neither`,
      ]

export type Env = z.infer<typeof envSchema>

/**
 * The variables that hold secrets (a URL may carry a password or an API key). Each may instead
 * be given as `<NAME>_FILE`, the path of a file holding it, as Docker and Kubernetes mount
 * secrets: the value then never sits in the environment, where `ps e` and crash reports see it.
 */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'RPC_URL',
  'DEPLOYER_PRIVATE_KEY',
  'PAYMENT_ADMIN_KEY',
  'PAYMENT_KEYSTORE_SECRET',
  'EXAMPLE_FUNDER_KEY',
] as const

/**
 * The secret `name` of `source`: its value, or the content of the file `<name>_FILE` names (one
 * trailing newline trimmed, as `echo` and editors leave one); or the sentence of why it cannot
 * be had: both forms given, or a file that cannot be read (named by its variable and path,
 * never by its content).
 * @example secretOf(process.env, 'BILLING_KEY') // { value: '0x…' } from BILLING_KEY or BILLING_KEY_FILE
 */
export function secretOf(
  source: Record<string, string | undefined>,
  name: string,
): { value?: string; problem?: string } {
  const given = source[name] === '' ? undefined : source[name]
  const file = source[`${name}_FILE`]
  if (file === undefined || file === '') return { value: given }
  if (given !== undefined) return { problem: `${name} and ${name}_FILE are both set; set only one of them` }
  try {
    return { value: readFileSync(file, 'utf8').replace(/\r?\n$/, '') }
  } catch (error) {
    return { problem: `${name}_FILE names ${file}, which cannot be read (${errorText(error)})` }
  }
}

/**
 * `source` with every secret of {@link SECRET_VARIABLES} given as `<NAME>_FILE` read in
 * ({@link secretOf}) and the `_FILE` variables removed, and the sentences of what could not be.
 */
function readSecretFiles(source: Record<string, string | undefined>): {
  values: Record<string, string | undefined>
  problems: string[]
} {
  const values = { ...source }
  const problems: string[] = []
  for (const name of SECRET_VARIABLES) {
    if (values[`${name}_FILE`] === undefined) continue
    const { value, problem } = secretOf(source, name)
    delete values[`${name}_FILE`]
    if (problem) problems.push(problem)
    else values[name] = value
  }
  return { values, problems }
}

let cached: Env | undefined

/** A schema's refusal as one `VARIABLE: what is wrong` per bad variable (every process's settings). */
export const problemsOf = (error: z.ZodError): string[] =>
  error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)

/**
 * Parses `source` (default `process.env`), with secrets given as files read in
 * ({@link readSecretFiles}); throws one readable message listing every bad variable.
 */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const { values, problems } = readSecretFiles(source)
  const result = envSchema.safeParse(values)
  const lines = [
    ...problems.map((p) => `  ${p}`),
    ...(result.success ? pairProblems(result.data) : problemsOf(result.error)).map((p) => `  ${p}`),
  ]
  if (lines.length > 0 || !result.success) throw new Error(`Invalid environment:\n${lines.join('\n')}`)
  return result.data
}

/** The validated environment of this process (parsed once). */
export function env(): Env {
  cached ??= parseEnv()
  return cached
}
