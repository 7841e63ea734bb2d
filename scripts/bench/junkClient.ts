/**
 * The saturating flood's load generator (./paymentFlood),
 * which runs as a process of its own (this file's entry point, forked by measureFlood at low
 * CPU priority): an attacker's load generator runs on its own machine, and in the bench's
 * process its 64 connections' answers would queue before the good traffic's on one event loop,
 * so the good traffic's latency would measure the client as much as the server.
 */
import { client } from './httpClient'

export type JunkTally = { sent: number; statuses: Map<number, number> }

/** What the saturating flood's process is told to send. */
export type SaturatingOrder = {
  url: string
  /** The hostile service's key, and the made-up key one call in ten uses instead. */
  key: string
  madeUpKey: string
  bodies: string[]
  connections: number
  seconds: number
}

/** Adds `from`'s answers to `into`. */
export function addTally(into: JunkTally, from: JunkTally): void {
  into.sent += from.sent
  for (const [status, n] of from.statuses) into.statuses.set(status, (into.statuses.get(status) ?? 0) + n)
}

/**
 * The i-th junk call to the verify endpoint: the i-th body, with `key` (one call in ten with
 * `madeUpKey` instead), its answer counted in `into`.
 */
export async function junkCall(
  junk: ReturnType<typeof client>,
  { key, madeUpKey, bodies }: Pick<SaturatingOrder, 'key' | 'madeUpKey' | 'bodies'>,
  i: number,
  into: JunkTally,
): Promise<void> {
  const answer = await junk.post(
    '/api/payment/tokens/verify',
    i % 10 === 9 ? madeUpKey : key,
    bodies[i % bodies.length] as string,
  )
  addTally(into, { sent: 1, statuses: new Map([[answer.status, 1]]) })
}

/** `connections` workers sending junk back to back for `seconds`; the answers' statuses. */
export async function closedLoop(order: SaturatingOrder): Promise<JunkTally> {
  const junk = client(order.url, order.connections)
  const tally: JunkTally = { sent: 0, statuses: new Map() }
  const end = performance.now() + order.seconds * 1000
  let next = 0
  await Promise.all(
    Array.from({ length: order.connections }, async () => {
      while (performance.now() < end) await junkCall(junk, order, next++, tally)
    }),
  )
  junk.close()
  return tally
}

// As a forked process: each order message is one phase, answered with its tally.
if (process.send) {
  process.on('message', (order: SaturatingOrder) => {
    void closedLoop(order).then((tally) =>
      process.send?.({ sent: tally.sent, statuses: [...tally.statuses] }),
    )
  })
}
