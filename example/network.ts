/**
 * The example network (PRODUCT.md, "Example network"): the thesis's test setup (5.1) and its
 * transitive example (3.4), as services of four teams, paid per request through channels.
 *
 * - `public` (team-a) takes user data, has `validation` (team-b) check it and, if valid,
 *   `persistence` (team-b) store it: every public request pays two services.
 * - `alice` and `bob` (team-c) call `charlie` (team-d); `charlie` calls `dave` (team-e) for
 *   the requests that ask for a deep answer (one in three by default in the traffic).
 */
export type ExampleService = {
  name: string
  team: string
  /** Price per request in wei when others pay it; null when nobody does. */
  price: bigint | null
  /** Providers it pays. */
  calls: string[]
}

const GWEI = 1_000_000_000n

export const exampleServices: ExampleService[] = [
  { name: 'public', team: 'team-a', price: null, calls: ['validation', 'persistence'] },
  { name: 'validation', team: 'team-b', price: 10n * GWEI, calls: [] },
  { name: 'persistence', team: 'team-b', price: 20n * GWEI, calls: [] },
  { name: 'alice', team: 'team-c', price: null, calls: ['charlie'] },
  { name: 'bob', team: 'team-c', price: null, calls: ['charlie'] },
  { name: 'charlie', team: 'team-d', price: 50n * GWEI, calls: ['dave'] },
  { name: 'dave', team: 'team-e', price: 30n * GWEI, calls: [] },
]

/** Each channel's first deposit and auto-funding, in wei (0.01 ETH; refill 0.01 below 0.002). */
export const channelFunding = {
  deposit: 10_000_000n * GWEI,
  autoFund: { threshold: 2_000_000n * GWEI, amount: 10_000_000n * GWEI },
}

/** Ether each example service's account gets on a dev chain, for deposits and gas. */
export const accountFunding = 1_000_000_000n * GWEI
