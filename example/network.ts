/**
 * The example network (PRODUCT.md, "Example network"): the thesis's test setup (5.1) and its
 * transitive example (3.4), as services of four teams, paid per request through channels.
 *
 * - `public` (team-a) takes user data, has `validation` (team-b) check it and, if valid,
 *   `persistence` (team-b) store it: every public request pays two services.
 * - `alice` and `bob` (team-c) call `charlie` (team-d); `charlie` calls `dave` (team-e) for
 *   the requests that ask for a deep answer (one in three by default in the traffic).
 *
 * Pricing (thesis 3.3): `public` pays `validation` through a version 2 channel with two request
 * categories by the submission's size (P3), and `validation` raises that table at a redemption
 * while it is under load (P2, figure 10; ./loadPricing.ts). Validation, not persistence: in the
 * thesis's interaction flow (figure 14) validation is the service every submission reaches,
 * invalid ones too, and it reads the whole of it, so a large submission costs it more on every
 * request, and it is where load on `public` arrives first. The price change needs a version 2
 * channel anyway, so one channel shows both models, and `persistence` stays a version 1 channel
 * beside it: the network runs both versions, as a company moving to version 2 does.
 *
 * Exact transitive tracing (thesis 3.4): charlie's channel to dave has a category per origin
 * (alice, bob), and charlie pays each call to dave in the category of the consumer whose paid
 * request caused it, known from the channel that paid charlie, not from anything the caller says.
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

/**
 * A category of a version 2 channel: its name and price per request (wei), and the origin
 * consumer whose requests it counts when it traces one (thesis 3.4).
 */
export type ExampleCategory = { name: string; price: bigint; origin?: string }

/** Submissions of more than this many bytes (their JSON text) are `large`. */
export const LARGE_SUBMISSION_BYTES = 1024

/** public → validation: small and large submissions (the small price is validation's own lowest). */
export const submissionCategories: readonly ExampleCategory[] = [
  { name: 'small', price: 10n * GWEI },
  { name: 'large', price: 40n * GWEI },
]

/**
 * The category of a submission whose JSON text is `bytes` long: `public` tags its call by it
 * and `validation` charges by it, each measuring the same bytes (the body public sends), so a
 * large submission paid as small is refused.
 */
export function submissionCategory(bytes: number): 'small' | 'large' {
  return bytes > LARGE_SUBMISSION_BYTES ? 'large' : 'small'
}

/**
 * charlie → dave: one category per origin consumer of charlie's (thesis 3.4, figure 12, with
 * categories for the dedicated channels), each at dave's price, so the chain records exactly
 * how much of dave's cost alice and bob each caused.
 */
export const originCategories: readonly ExampleCategory[] = [
  { name: 'alice', price: 30n * GWEI, origin: 'alice' },
  { name: 'bob', price: 30n * GWEI, origin: 'bob' },
]

/** The price table of the consumer → provider channel when it is a version 2 channel, else null. */
export function channelCategories(consumer: string, provider: string): readonly ExampleCategory[] | null {
  if (consumer === 'public' && provider === 'validation') return submissionCategories
  if (consumer === 'charlie' && provider === 'dave') return originCategories
  return null
}

/**
 * How `validation` prices under load (./loadPricing.ts): every window it compares its accepted
 * request rate with two thresholds (requests/s, set from the traffic's rate by main.ts) and
 * moves its next table by `stepPercent` of the base, between the base and `maxPercent` of it.
 */
export const loadPricingDefaults = {
  windowSeconds: 30,
  stepPercent: 50,
  maxPercent: 300,
}

/** Each channel's first deposit and auto-funding, in wei (0.01 ETH; refill 0.01 below 0.002). */
export const channelFunding = {
  deposit: 10_000_000n * GWEI,
  autoFund: { threshold: 2_000_000n * GWEI, amount: 10_000_000n * GWEI },
}

/** Ether each example service's account gets on a dev chain, for deposits and gas. */
export const accountFunding = 1_000_000_000n * GWEI
