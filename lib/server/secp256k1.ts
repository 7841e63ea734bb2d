import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import path from 'node:path'

/**
 * The two elliptic-curve operations of the token hot paths, from the fastest libsecp256k1 this
 * machine has:
 * - **system**: a shared libsecp256k1 ≥ 0.2 with its recovery module (Debian's `libsecp256k1-1`
 *   or `libsecp256k1-2`, Homebrew's `secp256k1`), called through koffi's FFI. Its safegcd
 *   inversions make a recovery about 25 % and a signature about 30 % cheaper than the addon's.
 * - **bundled**: the `secp256k1` npm addon, whose libsecp256k1 dates from 2019. Always there.
 *
 * Both are libsecp256k1, so they answer the same: signatures are RFC 6979 and low-s, the tests
 * compare the two. `SECP256K1_LIBRARY` chooses: unset, the system library when one loads, else
 * the addon; `bundled`, the addon; a file name or path, that library (a failure to load it is
 * an error, not a silent fallback).
 */
export type Secp256k1 = {
  /** What is in use, for logs and benchmarks: `system (libsecp256k1.so.1)` or `bundled (secp256k1 npm addon)`. */
  readonly name: string
  /** A 64-byte compact signature r‖s and its recovery id (0 or 1). Throws on an invalid key. */
  ecdsaSign(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number }
  /** The signer's 65-byte uncompressed public key. Throws when the signature does not recover. */
  ecdsaRecover(signature: Uint8Array, recid: number, digest: Uint8Array): Uint8Array
}

/** What a recovery worker thread needs to load the same implementation ({@link RECOVER_SOURCE}). */
export type Secp256k1Source =
  | { kind: 'system'; koffi: string; library: string }
  | { kind: 'bundled'; addon: string }

/** File names the system library goes by (the loader's search path is used). */
const SYSTEM_LIBRARIES = ['libsecp256k1.so.2', 'libsecp256k1.so.1', 'libsecp256k1.so', 'libsecp256k1.dylib']

/**
 * JavaScript source of `(koffi, library, seed) => ({ ecdsaSign, ecdsaRecover })` over a system
 * libsecp256k1: one source for the main thread and the worker threads (each binds its own
 * context and scratch buffers; the calls are synchronous, so they never interleave).
 */
const BIND_SYSTEM = `(koffi, library, seed) => {
  const lib = koffi.load(library)
  const create = lib.func('void *secp256k1_context_create(unsigned int flags)')
  const randomize = lib.func('int secp256k1_context_randomize(void *ctx, const uint8_t *seed32)')
  const parseRecoverable = lib.func('int secp256k1_ecdsa_recoverable_signature_parse_compact(void *ctx, _Out_ uint8_t *sig, const uint8_t *input64, int recid)')
  const recover = lib.func('int secp256k1_ecdsa_recover(void *ctx, _Out_ uint8_t *pubkey, const uint8_t *sig, const uint8_t *msghash32)')
  const serializeKey = lib.func('int secp256k1_ec_pubkey_serialize(void *ctx, _Out_ uint8_t *output, _Inout_ size_t *outputlen, const uint8_t *pubkey, unsigned int flags)')
  const signRecoverable = lib.func('int secp256k1_ecdsa_sign_recoverable(void *ctx, _Out_ uint8_t *sig, const uint8_t *msghash32, const uint8_t *seckey, void *noncefp, void *ndata)')
  const serializeRecoverable = lib.func('int secp256k1_ecdsa_recoverable_signature_serialize_compact(void *ctx, _Out_ uint8_t *output64, _Out_ int *recid, const uint8_t *sig)')
  // SECP256K1_CONTEXT_VERIFY | SECP256K1_CONTEXT_SIGN: what every version accepts.
  const ctx = create(0x301)
  if (!ctx) throw new Error('secp256k1_context_create failed')
  // Blinds the signing operations against timing side channels.
  if (!randomize(ctx, seed)) throw new Error('secp256k1_context_randomize failed')
  const recoverable = new Uint8Array(65)
  const pubkey = new Uint8Array(64)
  const length = [65]
  const recid = [0]
  return {
    ecdsaSign(digest, privateKey) {
      if (digest.length !== 32 || privateKey.length !== 32) throw new RangeError('digest and key must be 32 bytes')
      if (!signRecoverable(ctx, recoverable, digest, privateKey, null, null)) throw new Error('The private key is invalid.')
      const signature = new Uint8Array(64)
      serializeRecoverable(ctx, signature, recid, recoverable)
      return { signature, recid: recid[0] }
    },
    ecdsaRecover(signature, id, digest) {
      if (signature.length !== 64 || digest.length !== 32 || (id !== 0 && id !== 1 && id !== 2 && id !== 3))
        throw new RangeError('a 64-byte signature, a recovery id 0-3 and a 32-byte digest are required')
      if (!parseRecoverable(ctx, recoverable, signature, id)) throw new Error('The signature cannot be parsed.')
      if (!recover(ctx, pubkey, recoverable, digest)) throw new Error('The signature does not recover.')
      const key = new Uint8Array(65)
      length[0] = 65
      serializeKey(ctx, key, length, pubkey, 2) // SECP256K1_EC_UNCOMPRESSED
      return key
    },
  }
}`

type Bound = Pick<Secp256k1, 'ecdsaSign' | 'ecdsaRecover'>
type Koffi = { load(library: string): unknown }
type AddonModule = {
  ecdsaSign(digest: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number }
  ecdsaRecover(signature: Uint8Array, recid: number, digest: Uint8Array, compressed: boolean): Uint8Array
}

const bindSystem = new Function(`return ${BIND_SYSTEM}`)() as (
  koffi: Koffi,
  library: string,
  seed: Uint8Array,
) => Bound

/** Resolves packages from the app's root (the server bundle cannot resolve them for a worker). */
const requireFromRoot = () => createRequire(path.join(process.cwd(), 'package.json'))

/** Loads the implementation `setting` asks for ({@link Secp256k1}); throws when it cannot. */
export function loadSecp256k1(
  setting: string | undefined,
  { systemLibraries = SYSTEM_LIBRARIES }: { systemLibraries?: readonly string[] } = {},
): { secp256k1: Secp256k1; source: Secp256k1Source } {
  const require = requireFromRoot()
  const choice = setting?.trim() ?? ''
  if (choice !== 'bundled') {
    const candidates = choice === '' ? systemLibraries : [choice]
    for (const library of candidates) {
      let bound: Bound
      try {
        // koffi itself may be missing for this platform: then the addon, unless a library was asked for.
        bound = bindSystem(require('koffi') as Koffi, library, randomBytes(32))
      } catch (error) {
        if (choice === '') continue
        throw new Error(
          `SECP256K1_LIBRARY=${choice} could not be loaded as a libsecp256k1 ≥ 0.2 with its recovery module: ${(error as Error).message}`,
        )
      }
      return {
        secp256k1: { name: `system (${library})`, ...bound },
        source: { kind: 'system', koffi: require.resolve('koffi'), library },
      }
    }
  }
  const addon = require('secp256k1') as AddonModule
  return {
    secp256k1: {
      name: 'bundled (secp256k1 npm addon)',
      ecdsaSign: (digest, key) => addon.ecdsaSign(digest, key),
      ecdsaRecover: (signature, recid, digest) => addon.ecdsaRecover(signature, recid, digest, false),
    },
    source: { kind: 'bundled', addon: require.resolve('secp256k1') },
  }
}

let loaded: ReturnType<typeof loadSecp256k1> | undefined
/** Chosen by `SECP256K1_LIBRARY` on first use, then kept for the process. */
const current = () => {
  loaded ??= loadSecp256k1(process.env.SECP256K1_LIBRARY)
  return loaded
}

/** This process's implementation. */
export const secp256k1 = (): Secp256k1 => current().secp256k1

/** How a worker thread loads the implementation this process uses. */
export const secp256k1Source = (): Secp256k1Source => current().source

/**
 * CommonJS source that defines `ecdsaRecover(signature, recid, digest)` (65-byte key, throws
 * when it does not recover) in a worker thread from `workerData.secp256k1`, a {@link Secp256k1Source}.
 */
export const RECOVER_SOURCE = `
const source = require('node:worker_threads').workerData.secp256k1
const ecdsaRecover = source.kind === 'system'
  ? (${BIND_SYSTEM})(require(source.koffi), source.library, require('node:crypto').randomBytes(32)).ecdsaRecover
  : ((addon) => (signature, recid, digest) => addon.ecdsaRecover(signature, recid, digest, false))(require(source.addon))
`
