/** Largest batch of one call (the Payment Server takes `count` and `tokens` of 1..1000). */
export const MAX_BATCH_SIZE = 1000

export type CoalescerParameters<I, O> = {
  /** Handles one batch; must return one result per item, in the items' order. */
  run: (items: readonly I[]) => Promise<readonly O[]>
  /** Most items per call of `run`; default {@link MAX_BATCH_SIZE}. */
  maxBatchSize?: number
  /** Most calls of `run` at a time; default 1. */
  maxInFlight?: number
}

export type Coalescer<I, O> = {
  /** Queues `item`; resolves with its result, or rejects with its batch's error. */
  submit: (item: I) => Promise<O>
  /** Queues several items at once, so that they can go in the same batch (one promise each). */
  submitMany: (items: readonly I[]) => Array<Promise<O>>
  /** Items waiting for the batch in flight to settle. */
  readonly queued: number
  /** Whether a batch is in flight. */
  readonly busy: boolean
  /** Batches in flight. */
  readonly inFlight: number
}

type Waiter<I, O> = { item: I; resolve: (value: O) => void; reject: (reason: unknown) => void }

/**
 * Nagle-style batching with at most `maxInFlight` calls in flight (default 1): an item submitted
 * while a slot is free is run at once (no timer, so no added latency at concurrency 1); items
 * submitted while every slot is busy queue up and go together, up to `maxBatchSize`, as soon as
 * one settles. Throughput then grows with concurrency while the number of calls stays bounded.
 * With one slot the caller waits for the call in flight and then its own; more slots shorten
 * that wait when the calls' latency is not their CPU time (a round trip to another process).
 *
 * A batch that fails (rejects, throws, or returns the wrong number of results) rejects exactly
 * its own waiters; the next batch proceeds regardless.
 *
 * @example
 * const issue = createCoalescer({ run: async (ids: readonly string[]) => ids.map((id) => id.toUpperCase()) })
 * const [a, b] = await Promise.all([issue.submit('a'), issue.submit('b')]) // two calls: ['a'], ['b']
 */
export function createCoalescer<I, O>({
  run,
  maxBatchSize = MAX_BATCH_SIZE,
  maxInFlight = 1,
}: CoalescerParameters<I, O>): Coalescer<I, O> {
  if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`)
  }
  if (!Number.isSafeInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`)
  }
  const queue: Array<Waiter<I, O>> = []
  let inFlight = 0

  const flush = (): void => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatchSize)
      inFlight += 1
      // The next batch starts before this one's waiters resume, so the queue never waits on them.
      const next = (): void => {
        inFlight -= 1
        flush()
      }
      startRun(run, batch).then(
        (values) => {
          next()
          dispatch(batch, values)
        },
        (error: unknown) => {
          next()
          rejectAll(batch, error)
        },
      )
    }
  }

  const enqueue = (item: I) => new Promise<O>((resolve, reject) => queue.push({ item, resolve, reject }))
  return {
    submit: (item) => {
      const promise = enqueue(item)
      flush()
      return promise
    },
    submitMany: (items) => {
      const promises = items.map(enqueue)
      flush()
      return promises
    },
    get queued() {
      return queue.length
    },
    get busy() {
      return inFlight > 0
    },
    get inFlight() {
      return inFlight
    },
  }
}

/** Calls `run` now; a synchronous throw becomes a rejection so that it fails only this batch. */
function startRun<I, O>(
  run: (items: readonly I[]) => Promise<readonly O[]>,
  batch: ReadonlyArray<Waiter<I, O>>,
): Promise<readonly O[]> {
  try {
    return Promise.resolve(run(batch.map((waiter) => waiter.item)))
  } catch (error) {
    return Promise.reject(error)
  }
}

/** Hands result i to waiter i; a wrong number of results fails the whole batch. */
function dispatch<I, O>(batch: ReadonlyArray<Waiter<I, O>>, values: readonly O[]): void {
  if (values.length !== batch.length) {
    rejectAll(batch, new Error(`A batch of ${batch.length} items returned ${values.length} results.`))
    return
  }
  for (const [i, waiter] of batch.entries()) waiter.resolve(values[i] as O)
}

function rejectAll<I, O>(batch: ReadonlyArray<Waiter<I, O>>, error: unknown): void {
  for (const waiter of batch) waiter.reject(error)
}

/** {@link createCoalescer} per key (one call in flight per key), e.g. per channel. */
export function createKeyedCoalescer<K, I, O>({
  run,
  maxBatchSize,
}: {
  run: (key: K, items: readonly I[]) => Promise<readonly O[]>
  maxBatchSize?: number
}): {
  submit: (key: K, item: I) => Promise<O>
  submitMany: (key: K, items: readonly I[]) => Array<Promise<O>>
} {
  const byKey = new Map<K, Coalescer<I, O>>()
  const of = (key: K) => {
    let coalescer = byKey.get(key)
    if (!coalescer) {
      coalescer = createCoalescer({ run: (items) => run(key, items), maxBatchSize })
      byKey.set(key, coalescer)
    }
    return coalescer
  }
  return {
    submit: (key, item) => of(key).submit(item),
    submitMany: (key, items) => of(key).submitMany(items),
  }
}
