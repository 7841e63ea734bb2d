import { randomBytes } from 'node:crypto'
import type { APIRequestContext } from '@playwright/test'
import { type Address, type Hex, keccak256, parseEther, parseGwei, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { CostGraph } from '../../lib/costs/api'
import { ANVIL_KEYS } from '../../stack/anvil'
import { getJson } from './api'

/*
 * The costs spec's scenario (e2e/costs.spec.ts): four fresh services with keys derived from a
 * per-run suffix, the three channels between them, and the figures the pages must show for them.
 */

/** Lowercase hex, so the names match ^[a-z][a-z0-9-]{0,39}$. */
const id = randomBytes(4).toString('hex')
const keyOf = (role: string) => keccak256(stringToHex(`channel-inspector e2e costs ${role} ${id}`))
export const ROLES = ['alice', 'bob', 'charlie', 'dave'] as const
export type Role = (typeof ROLES)[number]
export const keys = Object.fromEntries(ROLES.map((r) => [r, keyOf(r)])) as Record<Role, Hex>
export const accounts = Object.fromEntries(ROLES.map((r) => [r, privateKeyToAccount(keys[r])])) as Record<
  Role,
  ReturnType<typeof privateKeyToAccount>
>
export const addr = (r: Role) => accounts[r].address.toLowerCase() as Address
export const nameOf = (r: Role) => `e2e-${r}-${id}`
export const teamOf: Record<Role, string> = {
  alice: `e2e-apps-${id}`,
  bob: `e2e-apps-${id}`,
  charlie: `e2e-core-${id}`,
  dave: `e2e-infra-${id}`,
}
/** A wallet that is not a label admin (never funded: it only signs). */
export const strangerKey = keyOf('stranger')
/** anvil's first dev account: LABEL_ADMINS on the local stack. */
export const labelAdminKey = ANVIL_KEYS[0] as Hex

export const gwei = (n: number) => parseGwei(String(n))
export const REDEMPTION_TIMEOUT = 60n
export const TERMINATION_TIMEOUT = 600n

/** The three channels: consumer → provider, price, deposit, requests redeemed on token 1. */
export const plan = [
  {
    key: 'ac',
    consumer: 'alice',
    provider: 'charlie',
    price: gwei(10),
    deposit: parseEther('0.001'),
    requests: 30n,
  },
  {
    key: 'bc',
    consumer: 'bob',
    provider: 'charlie',
    price: gwei(10),
    deposit: parseEther('0.0005'),
    requests: 10n,
  },
  {
    key: 'cd',
    consumer: 'charlie',
    provider: 'dave',
    price: gwei(5),
    deposit: parseEther('0.002'),
    requests: 20n,
  },
] as const satisfies readonly {
  key: string
  consumer: Role
  provider: Role
  price: bigint
  deposit: bigint
  requests: bigint
}[]
export type ChannelKey = (typeof plan)[number]['key']

// Settled per pair: 30 × 10 gwei, 10 × 10 gwei, 20 × 5 gwei.
export const SETTLED: Record<ChannelKey, bigint> = { ac: gwei(300), bc: gwei(100), cd: gwei(100) }

/** Service table rows, as the graph's nodes should give them (window "all", nothing pending). */
export const SERVICE_COLUMNS = [
  'service',
  'team',
  'address',
  'paid_wei',
  'earned_wei',
  'net_wei',
  'requests_made',
  'requests_served',
  'pending_paid_wei',
  'pending_earned_wei',
]
const serviceRow = (r: Role, paid: bigint, earned: bigint, requestsMade: bigint, served: bigint) => ({
  service: nameOf(r),
  team: teamOf[r],
  address: addr(r),
  paid_wei: paid.toString(),
  earned_wei: earned.toString(),
  net_wei: (earned - paid).toString(),
  requests_made: requestsMade.toString(),
  requests_served: served.toString(),
  pending_paid_wei: '0',
  pending_earned_wei: '0',
})
export const expectedServices = () => ({
  alice: serviceRow('alice', gwei(300), 0n, 30n, 0n),
  bob: serviceRow('bob', gwei(100), 0n, 10n, 0n),
  // charlie pays dave 100 gwei, earns 300 + 100 from alice and bob: net 300 gwei.
  charlie: serviceRow('charlie', gwei(100), gwei(400), 20n, 40n),
  dave: serviceRow('dave', 0n, gwei(100), 0n, 20n),
})

export const PAIR_COLUMNS = [
  'consumer',
  'consumer_address',
  'consumer_team',
  'provider',
  'provider_address',
  'provider_team',
  'channels',
  'price_wei',
  'requests',
  'settled_wei',
  'unconfirmed_wei',
  'pending_wei',
]
export const expectedPairs = () =>
  plan.map((c) => ({
    consumer: nameOf(c.consumer),
    consumer_address: addr(c.consumer),
    consumer_team: teamOf[c.consumer],
    provider: nameOf(c.provider),
    provider_address: addr(c.provider),
    provider_team: teamOf[c.provider],
    channels: '1',
    price_wei: c.price.toString(),
    requests: c.requests.toString(),
    settled_wei: SETTLED[c.key].toString(),
    unconfirmed_wei: '0',
    pending_wei: '0',
  }))

export const graphAll = (request: APIRequestContext) =>
  getJson<CostGraph>(request, '/api/costs/graph?window=all')

export const edgeOf = (g: CostGraph, c: (typeof plan)[number]) =>
  g.edges.find((e) => e.consumer === addr(c.consumer) && e.provider === addr(c.provider))
