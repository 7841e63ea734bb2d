import { describe, expect, it } from 'vitest'
import { createCoalescer } from './coalesce'

type Deferred<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void }

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** A `run` that records each batch and settles only when the test says so. */
function controlledRun<I, O>() {
  const calls: Array<{ items: readonly I[]; result: Deferred<readonly O[]> }> = []
  const run = (items: readonly I[]) => {
    const result = deferred<readonly O[]>()
    calls.push({ items: [...items], result })
    return result.promise
  }
  return { calls, run }
}

/** Lets every pending promise callback run (no timers involved). */
const drain = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Records how each promise settles, to assert on without awaiting a rejection. */
function outcomes<T>(promises: Array<Promise<T>>) {
  const settled: Array<{ value: T } | { error: unknown } | undefined> = promises.map(() => undefined)
  promises.forEach((p, i) => {
    p.then(
      (value) => {
        settled[i] = { value }
      },
      (error: unknown) => {
        settled[i] = { error }
      },
    )
  })
  return settled
}

describe('createCoalescer()', () => {
  it('createCoalescer() runs a lone item at once, synchronously, in a batch of one', async () => {
    const { calls, run } = controlledRun<string, number>()
    const coalescer = createCoalescer({ run })
    const result = coalescer.submit('a')
    expect(calls.map((c) => c.items)).toEqual([['a']])
    expect(coalescer.busy).toBe(true)
    calls[0]?.result.resolve([1])
    await expect(result).resolves.toBe(1)
    expect(coalescer.busy).toBe(false)
  })

  it('createCoalescer() sends the items of one submitMany() together, in order', async () => {
    const { calls, run } = controlledRun<string, string>()
    const coalescer = createCoalescer({ run, maxBatchSize: 3 })
    const results = coalescer.submitMany(['a', 'b', 'c', 'd'])
    expect(calls.map((c) => c.items)).toEqual([['a', 'b', 'c']])
    calls[0]?.result.resolve(['A', 'B', 'C'])
    await drain()
    expect(calls.map((c) => c.items)).toEqual([['a', 'b', 'c'], ['d']])
    calls[1]?.result.resolve(['D'])
    await expect(Promise.all(results)).resolves.toEqual(['A', 'B', 'C', 'D'])
  })

  it('createCoalescer() queues items while a batch is in flight and sends them together next', async () => {
    const { calls, run } = controlledRun<string, string>()
    const coalescer = createCoalescer({ run })
    const results = ['a', 'b', 'c', 'd'].map((item) => coalescer.submit(item))
    expect(calls.map((c) => c.items)).toEqual([['a']])
    expect(coalescer.queued).toBe(3)

    calls[0]?.result.resolve(['A'])
    await drain()
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b', 'c', 'd']])
    expect(coalescer.queued).toBe(0)

    calls[1]?.result.resolve(['B', 'C', 'D'])
    await expect(Promise.all(results)).resolves.toEqual(['A', 'B', 'C', 'D'])
    expect(calls).toHaveLength(2)
  })

  it('createCoalescer() hands result i to the i-th waiter of the batch', async () => {
    const { calls, run } = controlledRun<number, string>()
    const coalescer = createCoalescer({ run })
    const first = coalescer.submit(0)
    const waiters = [1, 2, 3, 4, 5].map((n) => coalescer.submit(n))
    calls[0]?.result.resolve(['zero'])
    await first
    await drain()
    calls[1]?.result.resolve(['one', 'two', 'three', 'four', 'five'])
    await expect(Promise.all(waiters)).resolves.toEqual(['one', 'two', 'three', 'four', 'five'])
  })

  it('createCoalescer() rejects exactly the waiters of a failing batch and goes on with the next', async () => {
    const { calls, run } = controlledRun<string, string>()
    const coalescer = createCoalescer({ run })
    const first = outcomes([coalescer.submit('a')])
    const second = outcomes([coalescer.submit('b'), coalescer.submit('c')])

    calls[0]?.result.resolve(['A'])
    await drain()
    const third = outcomes([coalescer.submit('d')])
    const failure = new Error('server down')
    calls[1]?.result.reject(failure)
    await drain()

    expect(first).toEqual([{ value: 'A' }])
    expect(second).toEqual([{ error: failure }, { error: failure }])
    expect(third).toEqual([undefined])
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b', 'c'], ['d']])

    calls[2]?.result.resolve(['D'])
    await drain()
    expect(third).toEqual([{ value: 'D' }])
  })

  it('createCoalescer() fails only its batch when run throws synchronously', async () => {
    let call = 0
    const coalescer = createCoalescer<string, string>({
      run: (items) => {
        call += 1
        if (call === 1) throw new Error('bad input')
        return Promise.resolve(items.map((item) => item.toUpperCase()))
      },
    })
    await expect(coalescer.submit('a')).rejects.toThrow('bad input')
    await expect(coalescer.submit('b')).resolves.toBe('B')
  })

  it('createCoalescer() rejects the whole batch when run returns the wrong number of results', async () => {
    const { calls, run } = controlledRun<string, string>()
    const coalescer = createCoalescer({ run })
    const first = coalescer.submit('a')
    const rest = outcomes([coalescer.submit('b'), coalescer.submit('c')])
    calls[0]?.result.resolve(['A'])
    await first
    await drain()
    calls[1]?.result.resolve(['B'])
    await drain()
    expect(rest.map((r) => r && 'error' in r)).toEqual([true, true])
    expect(coalescer.busy).toBe(false)
  })

  it('createCoalescer() never puts more than maxBatchSize items in one batch', async () => {
    const { calls, run } = controlledRun<number, number>()
    const coalescer = createCoalescer({ run, maxBatchSize: 2 })
    const results = [1, 2, 3, 4, 5, 6].map((n) => coalescer.submit(n))
    for (let i = 0; i < 4; i++) {
      const call = calls[i]
      call?.result.resolve(call.items.map((n) => n * 10))
      await drain()
    }
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3], [4, 5], [6]])
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30, 40, 50, 60])
  })

  it('createCoalescer() runs sequential callers one at a time without batching them', async () => {
    const { calls, run } = controlledRun<number, number>()
    const coalescer = createCoalescer({ run })
    for (let n = 0; n < 3; n++) {
      const result = coalescer.submit(n)
      expect(calls).toHaveLength(n + 1)
      calls[n]?.result.resolve([n])
      await expect(result).resolves.toBe(n)
    }
    expect(calls.map((c) => c.items)).toEqual([[0], [1], [2]])
  })

  it('createCoalescer() refuses a maxBatchSize below 1', () => {
    expect(() => createCoalescer({ run: async () => [], maxBatchSize: 0 })).toThrow(RangeError)
  })

  it('createCoalescer() with maxInFlight 2 starts a second call at once, then queues for the first free slot', async () => {
    const { calls, run } = controlledRun<string, string>()
    const coalescer = createCoalescer({ run, maxInFlight: 2 })
    const a = coalescer.submit('a')
    const b = coalescer.submit('b')
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b']])
    expect(coalescer.inFlight).toBe(2)
    const rest = outcomes([coalescer.submit('c'), coalescer.submit('d'), coalescer.submit('e')])
    expect(coalescer.queued).toBe(3)

    // The second call settles first: its slot takes the whole queue.
    calls[1]?.result.resolve(['B'])
    await drain()
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b'], ['c', 'd', 'e']])
    expect(coalescer.queued).toBe(0)
    expect(coalescer.inFlight).toBe(2)
    await expect(b).resolves.toBe('B')

    calls[0]?.result.resolve(['A'])
    calls[2]?.result.resolve(['C', 'D', 'E'])
    await drain()
    await expect(a).resolves.toBe('A')
    expect(rest).toEqual([{ value: 'C' }, { value: 'D' }, { value: 'E' }])
    expect(coalescer.inFlight).toBe(0)
    expect(coalescer.busy).toBe(false)
  })

  it('createCoalescer() never has more than maxInFlight calls running, under any load', async () => {
    let running = 0
    let most = 0
    const coalescer = createCoalescer<number, number>({
      maxInFlight: 3,
      maxBatchSize: 4,
      run: async (items) => {
        running += 1
        most = Math.max(most, running)
        await drain()
        running -= 1
        return items.map((n) => n * 2)
      },
    })
    const results = await Promise.all(Array.from({ length: 50 }, (_, n) => coalescer.submit(n)))
    expect(results).toEqual(Array.from({ length: 50 }, (_, n) => n * 2))
    expect(most).toBe(3)
  })

  it('createCoalescer() refuses a maxInFlight below 1', () => {
    expect(() => createCoalescer({ run: async () => [], maxInFlight: 0 })).toThrow(RangeError)
    expect(() => createCoalescer({ run: async () => [], maxInFlight: 1.5 })).toThrow(RangeError)
  })
})
