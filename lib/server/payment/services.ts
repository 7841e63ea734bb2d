import type { Address, Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { bigintOf } from '../../columns/kinds'
import { BadRequestError, ConflictError, NotFoundError } from '../../errors'
import type { Db } from '../db/client'
import { secretOf } from '../env'
import { openServiceKey } from './keystore'
import { hashApiKey, keystoreKey, newApiKey, sealPrivateKey } from './secrets'

/** A service of this team as the Payment Server knows it (no secret in here). */
export type Service = {
  id: number
  name: string
  team: string
  address: Address
  keySource: 'keystore' | 'env'
  /** Name of the environment variable holding the key, when `keySource` is `env`. */
  keyEnv: string | null
  /** Lowest price per request (wei) it accepts as a provider; null: not a provider. */
  price: bigint | null
  apiKeyPrefix: string
  createdAt: Date
}

export type KeySpec = { source: 'generate' } | { source: 'env'; variable: string }

type Row = Awaited<ReturnType<Db['paymentService']['findFirstOrThrow']>>

const toService = (row: Row): Service => ({
  id: row.id,
  name: row.name,
  team: row.team,
  address: row.address as Address,
  keySource: row.keySource as Service['keySource'],
  keyEnv: row.keyEnv,
  price: row.price === null ? null : bigintOf(row.price),
  apiKeyPrefix: row.apiKeyPrefix,
  createdAt: row.createdAt,
})

const AUTH_CACHE_MS = 5_000
/** API keys remembered as having authenticated a service (see isKnownKey). */
const MAX_VALID_KEYS = 10_000

type Cache<K> = Map<K, { service: Service | null; until: number }>

/**
 * A service looked up through `cache` for AUTH_CACHE_MS; a miss is kept only with `keepMisses`
 * (a service registered meanwhile must be found at once by name or id).
 */
async function remember<K>(
  cache: Cache<K>,
  key: K,
  keepMisses: boolean,
  find: () => Promise<Row | null>,
): Promise<Service | null> {
  const now = Date.now()
  const cached = cache.get(key)
  if (cached && cached.until > now) return cached.service
  const row = await find()
  const service = row ? toService(row) : null
  if (service || keepMisses) {
    if (cache.size > 10_000) cache.clear()
    cache.set(key, { service, until: now + AUTH_CACHE_MS })
  }
  return service
}

/**
 * The team's services: registration, API keys (hashed), and their private keys (generated and
 * sealed here, or read from the environment). Authentication results are cached for 5 s, so a
 * rotated key stops working within 5 s on every instance.
 */
export function createServiceRegistry({
  db,
  keystoreSecret,
  environment = process.env,
}: {
  db: Db
  keystoreSecret?: string
  environment?: Record<string, string | undefined>
}) {
  /** Keys that authenticated a service in this process (a rotated one stays: it then fails as usual). */
  const validKeys = new Set<string>()
  const authCache: Cache<string> = new Map()
  const byIdCache: Cache<number> = new Map()
  const byNameCache: Cache<string> = new Map()
  const keys = new Map<number, Hex>()

  function envKey(variable: string): Hex {
    // Like the product's own secrets, a service's key may come from a file (`<variable>_FILE`).
    const { value, problem } = secretOf(environment, variable)
    if (problem) throw new BadRequestError({ code: 'key_unavailable', message: `${problem}.` })
    if (!value || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
      throw new BadRequestError({
        code: 'key_unavailable',
        message: `Environment variable ${variable} does not hold a 0x-prefixed 32-byte private key.`,
      })
    }
    return value as Hex
  }

  return {
    /** Registers a service and returns it with its API key (shown this once). */
    async register({
      name,
      team,
      price,
      key,
    }: {
      name: string
      team: string
      price?: bigint | null
      key: KeySpec
    }): Promise<{ service: Service; apiKey: string }> {
      let privateKey: Hex
      if (key.source === 'env') privateKey = envKey(key.variable)
      else {
        if (!keystoreSecret) {
          throw new ConflictError({
            code: 'keystore_unconfigured',
            message: 'PAYMENT_KEYSTORE_SECRET is not set, so generated keys cannot be stored.',
          })
        }
        privateKey = generatePrivateKey()
      }
      const address = privateKeyToAccount(privateKey).address.toLowerCase()
      const { apiKey, hash, prefix } = newApiKey(name)
      const taken = await db.paymentService.findFirst({ where: { OR: [{ name }, { address }] } })
      if (taken) {
        throw new ConflictError({
          code: 'service_exists',
          message:
            taken.name === name
              ? `A service named ${name} is already registered.`
              : `Address ${address} already belongs to service ${taken.name}.`,
        })
      }
      const row = await db.paymentService.create({
        data: {
          name,
          team,
          address,
          keySource: key.source === 'env' ? 'env' : 'keystore',
          keyEnv: key.source === 'env' ? key.variable : null,
          keyCiphertext:
            key.source === 'env'
              ? null
              : new Uint8Array(
                  sealPrivateKey({ key: keystoreKey(keystoreSecret as string), privateKey, address }),
                ),
          apiKeyHash: new Uint8Array(hash),
          apiKeyPrefix: prefix,
          price: price === undefined || price === null ? null : price.toString(),
        },
      })
      return { service: toService(row), apiKey }
    },

    /** Replaces a service's API key; the old one stops working (within the 5 s auth cache). */
    async rotateApiKey(name: string): Promise<{ service: Service; apiKey: string }> {
      const { apiKey, hash, prefix } = newApiKey(name)
      const updated = await db.paymentService.updateManyAndReturn({
        where: { name },
        data: { apiKeyHash: new Uint8Array(hash), apiKeyPrefix: prefix, updatedAt: new Date() },
      })
      const row = updated[0]
      if (!row) throw new NotFoundError({ code: 'service_unknown', message: `No service is named ${name}.` })
      authCache.clear()
      byIdCache.delete(row.id)
      byNameCache.delete(row.name)
      return { service: toService(row), apiKey }
    },

    async list(): Promise<Service[]> {
      return (await db.paymentService.findMany({ orderBy: { name: 'asc' } })).map(toService)
    },

    /** By name, cached like authentication when found (every token issued names its provider). */
    byName: (name: string): Promise<Service | null> =>
      remember(byNameCache, name, false, () => db.paymentService.findUnique({ where: { name } })),

    async byAddress(address: string): Promise<Service | null> {
      const row = await db.paymentService.findUnique({ where: { address: address.toLowerCase() } })
      return row ? toService(row) : null
    },

    /** By id, cached like authentication when found (the runner and channel views ask every round). */
    byId: (id: number): Promise<Service | null> =>
      remember(byIdCache, id, false, () => db.paymentService.findUnique({ where: { id } })),

    /**
     * Whether `apiKey` authenticated a service lately (in the cache, no statement): an address
     * held back for sending unknown keys still gets its known ones through.
     */
    isKnownKey(apiKey: string): boolean {
      return validKeys.has(apiKey)
    },

    /** The service an API key belongs to, or null (a miss is cached too). */
    async authenticate(apiKey: string): Promise<Service | null> {
      const service = await remember(authCache, apiKey, true, () =>
        db.paymentService.findUnique({ where: { apiKeyHash: new Uint8Array(hashApiKey(apiKey)) } }),
      )
      if (service && !validKeys.has(apiKey)) {
        // Outlives the auth cache (5 s, cleared when made-up keys fill it); bounded all the same.
        if (validKeys.size >= MAX_VALID_KEYS) validKeys.delete(validKeys.values().next().value as string)
        validKeys.add(apiKey)
      }
      return service
    },

    /** The service's private key (decrypted once, kept in memory; never logged or returned). */
    async privateKey(service: Service): Promise<Hex> {
      const known = keys.get(service.id)
      if (known) return known
      let key: Hex
      if (service.keySource === 'env') key = envKey(service.keyEnv as string)
      else {
        const row = await db.paymentService.findUniqueOrThrow({ where: { id: service.id } })
        if (!keystoreSecret || !row.keyCiphertext) {
          throw new ConflictError({
            code: 'keystore_unconfigured',
            message: `The key of service ${service.name} is sealed, and PAYMENT_KEYSTORE_SECRET is not set.`,
          })
        }
        key = openServiceKey({ secret: keystoreSecret, sealed: row.keyCiphertext, address: service.address })
      }
      if (privateKeyToAccount(key).address.toLowerCase() !== service.address) {
        throw new ConflictError({
          code: 'key_mismatch',
          message: `The key configured for service ${service.name} is not the key of ${service.address}.`,
        })
      }
      keys.set(service.id, key)
      return key
    },
  }
}

export type ServiceRegistry = ReturnType<typeof createServiceRegistry>
