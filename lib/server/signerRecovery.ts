import { Worker } from 'node:worker_threads'
import type { Address } from 'viem'
import type { Token } from '../../packages/payment-client/src/token'
import { RECOVER_SOURCE, type Secp256k1Source, secp256k1Source } from './secp256k1'
import {
  addressOfPoint,
  RECOVERY_INPUT_BYTES,
  recoverInput,
  recoverTokenSignerNative,
  recoveryInput,
} from './tokenCrypto'

/**
 * Who signed a token, for the verifier: {@link inlineRecovery} on the calling thread, or
 * {@link createRecoveryPool}, which runs the elliptic-curve step (libsecp256k1's recover,
 * about three quarters of a token's verification CPU) on worker threads, so that a Payment
 * Server verifies on more than one core. Both give exactly `recoverTokenSignerNative`'s answer:
 * the digest, the canonical-signature check and the address stay on the calling thread, the
 * workers only turn (signature, recovery id, digest) into a public key.
 */
export type SignerRecovery = {
  recover(args: { chainId: number; token: Token }): Promise<Address | null>
  /**
   * Who signed a digest: a {@link recoveryInput} of any token kind (RECOVERY_INPUT_BYTES bytes:
   * signature, recovery id, digest); null (a malformed or high-s signature) answers null.
   */
  recoverInput(input: Uint8Array | null): Promise<Address | null>
  /** Sends the recoveries asked for so far to a worker now, rather than when the current task's microtasks have run. */
  flush(): void
  /** Worker threads in use (0: inline). */
  readonly threads: number
  close(): Promise<void>
}

export function inlineRecovery(): SignerRecovery {
  return {
    recover: async (args) => recoverTokenSignerNative(args),
    recoverInput: async (input) => (input ? recoverInput(input) : null),
    flush: () => {},
    threads: 0,
    close: async () => {},
  }
}

/** One item's output: the 64-byte public key (x‖y), all zero when the signature does not recover. */
const KEY_BYTES = 64

const addressOf = (key: Uint8Array): Address | null =>
  key.every((b) => b === 0) ? null : addressOfPoint(key)

/**
 * The workers' code, plain CommonJS (not bundled): it loads the libsecp256k1 the server uses
 * (./secp256k1, by the absolute paths the server resolved), and answers each batch of items
 * with their public keys, moving the buffers rather than copying them.
 */
const WORKER_SOURCE = `${RECOVER_SOURCE}
const { parentPort } = require('node:worker_threads')
parentPort.on('message', ({ id, items }) => {
  const count = items.length / ${RECOVERY_INPUT_BYTES}
  const keys = new Uint8Array(count * ${KEY_BYTES})
  for (let i = 0; i < count; i++) {
    const at = i * ${RECOVERY_INPUT_BYTES}
    try {
      const key = ecdsaRecover(items.subarray(at, at + 64), items[at + 64], items.subarray(at + 65, at + ${RECOVERY_INPUT_BYTES}))
      keys.set(key.subarray(1), i * ${KEY_BYTES})
    } catch {}
  }
  parentPort.postMessage({ id, keys }, [keys.buffer])
})
`

type Pending = { input: Uint8Array; resolve: (address: Address | null) => void }
type PoolWorker = { worker: Worker; busy: number }

/** Answers `items` on this thread (after a worker failed, or once the pool is closed). */
const answerInline = (items: Iterable<Pending>) => {
  for (const item of items) item.resolve(recoverInput(item.input))
}

/**
 * `threads` workers (at least 1). Recoveries asked for before the microtasks of the current
 * task have run (one call's tokens, or those of one I/O callback) go to a worker as one
 * message, to the worker with the fewest batches in flight. Flushing once per event-loop turn
 * instead (setImmediate) held a request's recovery until the thread had read every other
 * request that was ready, and measured slower at concurrency 20: the verify endpoint gave
 * 4,157-5,156 req/s against 4,668-5,414 in alternating bench runs. If a worker fails, its
 * batches and every later recovery run inline, and `onFailure` is told once: verification
 * never stops for it.
 */
export function createRecoveryPool({
  threads,
  onFailure = () => {},
  source,
}: {
  threads: number
  onFailure?: (error: unknown) => void
  /** How the workers load libsecp256k1; default: the implementation this process uses. */
  source?: Secp256k1Source
}): SignerRecovery {
  if (!Number.isSafeInteger(threads) || threads < 1)
    throw new RangeError(`threads must be ≥ 1, got ${threads}`)
  const inline = inlineRecovery()
  let workerSource: Secp256k1Source
  try {
    workerSource = source ?? secp256k1Source()
  } catch (error) {
    onFailure(error)
    return inline
  }
  const workers: PoolWorker[] = []
  const batches = new Map<number, Pending[]>()
  let nextId = 0
  let queue: Pending[] = []
  let scheduled = false
  let failed = false
  let closed = false

  const fallBack = (error: unknown) => {
    if (failed || closed) return
    failed = true
    onFailure(error)
    const stranded = [...batches.values()].flat()
    batches.clear()
    answerInline(stranded)
    for (const w of workers) void w.worker.terminate()
  }

  for (let i = 0; i < threads; i++) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { secp256k1: workerSource } })
    worker.unref()
    const entry: PoolWorker = { worker, busy: 0 }
    worker.on('message', ({ id, keys }: { id: number; keys: Uint8Array }) => {
      const batch = batches.get(id)
      if (!batch) return
      batches.delete(id)
      entry.busy -= 1
      batch.forEach((item, k) => {
        item.resolve(addressOf(keys.subarray(k * KEY_BYTES, (k + 1) * KEY_BYTES)))
      })
    })
    worker.on('error', fallBack)
    worker.on('exit', (code) => {
      if (!closed) fallBack(new Error(`a signature recovery worker exited with code ${code}`))
    })
    workers.push(entry)
  }

  const flush = () => {
    scheduled = false
    const items = queue
    queue = []
    if (items.length === 0) return
    if (failed || closed) return answerInline(items)
    const target = workers.reduce((a, b) => (b.busy < a.busy ? b : a))
    const packed = new Uint8Array(items.length * RECOVERY_INPUT_BYTES)
    items.forEach((item, k) => {
      packed.set(item.input, k * RECOVERY_INPUT_BYTES)
    })
    const id = nextId++
    batches.set(id, items)
    target.busy += 1
    target.worker.postMessage({ id, items: packed }, [packed.buffer])
  }

  const recoverOnWorker = (input: Uint8Array | null): Promise<Address | null> => {
    if (failed || closed) return inline.recoverInput(input)
    if (!input) return Promise.resolve(null)
    return new Promise((resolve) => {
      queue.push({ input, resolve })
      if (!scheduled) {
        scheduled = true
        queueMicrotask(flush)
      }
    })
  }

  return {
    recover: (args) => (failed || closed ? inline.recover(args) : recoverOnWorker(recoveryInput(args))),
    recoverInput: recoverOnWorker,
    flush,
    get threads() {
      return failed || closed ? 0 : threads
    },
    async close() {
      closed = true
      await Promise.all(workers.map((w) => w.worker.terminate()))
      // Anything still in flight is answered inline.
      const stranded = [...batches.values()].flat()
      batches.clear()
      answerInline(stranded)
    },
  }
}
