/*
 * The hostile calls of ./input.test.ts: for every route of every API that takes a string (path,
 * query or body), unfit text in each string, and wrong types, huge numbers, oversized strings
 * and junk bodies, each with the refusal it must get.
 */

import { MAX_TOKEN_V2_LENGTH } from '../../../packages/payment-client/src/tokenV2'
import { budgetHostileBodies, budgetRefusals } from '../budgets/input.fixture'

/** A well-formed address that is no channel, no service and no label. */
export const NOBODY = '0x000000000000000000000000000000000000dead'

/** Unfit text in a JSON string: control characters (C0, DEL, C1) and lone UTF-16 surrogates. */
const BAD_TEXT: Array<[string, string]> = [
  ['NUL', 'a\u0000b'],
  ['BEL', '\u0007'],
  ['a tab', 'a\tb'],
  ['a newline', 'a\nb'],
  ['DEL', 'a\u007f'],
  ['C1 NEL', 'a\u0085'],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', '\udc00'],
]
/** The same in a URL (percent-encoded UTF-8; a lone surrogate does not decode: Next.js refuses it). */
const BAD_SEGMENT: Array<[string, string]> = [
  ['NUL', 'a%00b'],
  ['BEL', '%07'],
  ['a newline', 'a%0Ab'],
  ['DEL', '%7F'],
  ['C1 NEL', 'a%C2%85'],
]

const LONG = 'a'.repeat(600)
const SIGNATURE = `0x${'ab'.repeat(65)}`

/** Whose bearer key a call carries: the team admin's or a service's (the suite registers them). */
export type KeyName = 'admin' | 'shop' | 'billing'

/** One hostile call and the refusal it must get. */
export type Case = {
  title: string
  method: 'GET' | 'POST' | 'PATCH' | 'PUT'
  path: string
  key?: KeyName
  /** A value sent as JSON, or `{ raw }` sent as it is. */
  body?: unknown
  status: number
  code: string
  /** The message must name it (the field or parameter). */
  names: string
}

/**
 * The routes with strings in their bodies: a body the schema accepts, and the fields to spoil.
 * The label rules (lib/services/labels.ts, shared with the edit form) allow a few characters
 * only, and refuse the rest as `invalid_request`.
 */
const BODY_ROUTES: Array<{ route: string; key?: KeyName; valid: object; fields: string[]; code?: string }> = [
  {
    route: 'POST /api/payment/services',
    key: 'admin',
    valid: { name: 'svc', team: 'team', price: '1', key: { source: 'generate' } },
    fields: ['name', 'team', 'price'],
  },
  {
    route: 'POST /api/payment/services',
    key: 'admin',
    valid: { name: 'svc', team: 'team', key: { source: 'env', variable: 'SVC_KEY' } },
    fields: ['key.variable'],
  },
  {
    route: 'POST /api/payment/channels',
    key: 'shop',
    valid: {
      provider: 'billing',
      deposit: '1',
      costPerRequest: '1',
      autoFund: { threshold: '1', amount: '1' },
    },
    fields: ['provider', 'deposit', 'costPerRequest', 'autoFund.threshold', 'autoFund.amount'],
  },
  {
    route: `PATCH /api/payment/channels/${NOBODY}`,
    key: 'shop',
    valid: { autoFund: { threshold: '1', amount: '1' } },
    fields: ['autoFund.threshold', 'autoFund.amount'],
  },
  {
    route: `PATCH /api/payment/channels/${NOBODY}/prices`,
    key: 'billing',
    valid: { prices: ['1000'] },
    fields: ['prices.0'],
  },
  {
    route: `POST /api/payment/channels/${NOBODY}/deposit`,
    key: 'shop',
    valid: { amount: '1' },
    fields: ['amount'],
  },
  {
    route: 'POST /api/payment/tokens',
    key: 'shop',
    valid: { provider: 'billing', maxPrice: '1' },
    fields: ['provider', 'maxPrice'],
  },
  // Exact transitive tracing: an origin is a service name or an address, in the open and the issue.
  {
    route: 'POST /api/payment/tokens',
    key: 'shop',
    valid: { provider: 'billing', origin: 'shop' },
    fields: ['origin'],
  },
  {
    route: 'POST /api/payment/channels',
    key: 'shop',
    valid: { provider: 'billing', prices: [{ name: 'for-shop', price: '1', origin: 'shop' }] },
    fields: ['prices.0.origin'],
  },
  // With a query string, Next.js's handler serves the hot route instead of the fast path.
  {
    route: 'POST /api/payment/tokens?via=next',
    key: 'shop',
    valid: { provider: 'billing' },
    fields: ['provider'],
  },
  { route: 'POST /api/payment/tokens/verify', key: 'billing', valid: { token: 'v1' }, fields: ['token'] },
  {
    route: 'POST /api/payment/tokens/verify',
    key: 'billing',
    valid: { tokens: ['v1'] },
    fields: ['tokens.0'],
  },
  {
    route: 'POST /api/services/labels',
    key: 'admin',
    valid: { address: NOBODY, name: 'label', team: 'team', version: 0 },
    fields: ['address', 'name', 'team'],
    code: 'invalid_request',
  },
  ...budgetHostileBodies,
  {
    route: `POST /api/channels/${NOBODY}/redemption-token`,
    valid: { tokenId: '1', expiresAt: '1', signature: SIGNATURE },
    fields: ['tokenId', 'expiresAt', 'signature'],
  },
  {
    route: `PUT /api/channels/${NOBODY}/categories`,
    valid: { names: ['small'], expiresAt: '1', signature: SIGNATURE },
    fields: ['names.0', 'expiresAt', 'signature'],
  },
  {
    route: 'POST /api/rpc',
    valid: { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
    fields: ['method', 'id'],
  },
]

/** Routes with path parameters: `{}` where the parameter goes, and a body when the route needs one. */
const PARAM_ROUTES: Array<{ route: string; name: string; key?: KeyName; body?: object }> = [
  { route: 'POST /api/payment/services/{}/api-key', key: 'admin', name: 'name' },
  { route: 'GET /api/payment/channels/{}', key: 'shop', name: 'address' },
  { route: 'POST /api/payment/channels/{}/deposit', key: 'shop', name: 'address', body: { amount: '1' } },
  { route: 'POST /api/payment/channels/{}/tokens', key: 'shop', name: 'address', body: {} },
  { route: 'GET /api/costs/services/{}', name: 'name' },
  { route: 'GET /api/blocks/{}', name: 'number' },
  { route: 'GET /api/tx/{}', name: 'hash' },
  { route: 'GET /api/address/{}', name: 'address' },
  { route: 'GET /api/channels/{}', name: 'address' },
  { route: 'GET /api/address/{}/transactions.csv', name: 'address' },
  { route: 'GET /api/channels/{}/events.csv', name: 'address' },
  { route: 'GET /api/docs/assets/{}', name: 'file' },
  {
    route: 'POST /api/channels/{}/redemption-token',
    name: 'address',
    body: { tokenId: '1', expiresAt: '1', signature: SIGNATURE },
  },
  {
    route: 'PUT /api/channels/{}/categories',
    name: 'address',
    body: { names: ['a'], expiresAt: '1', signature: SIGNATURE },
  },
]

/** Routes with query parameters, and which. */
const QUERY_ROUTES: Array<[string, string]> = [
  ['/api/search', 'q'],
  ['/api/blocks', 'cursor'],
  ['/api/blocks', 'limit'],
  [`/api/address/${NOBODY}`, 'cursor'],
  ['/api/channels', 'cursor'],
  ['/api/events', 'cursor'],
  ['/api/costs/graph', 'from'],
  ['/api/costs/graph', 'window'],
  ['/api/costs/series', 'to'],
  ['/api/costs/overhead', 'window'],
  ['/api/costs/services/shop', 'from'],
  ['/api/costs/services/shop', 'compare'],
  ['/api/costs/report.csv', 'groupBy'],
  ['/api/costs/report.csv', 'unit'],
  ['/api/costs/report.csv', 'compare'],
  [`/api/address/${NOBODY}/transactions.csv`, 'fromDate'],
  [`/api/channels/${NOBODY}/events.csv`, 'toBlock'],
  ['/api/docs', 'api'],
]

const services = 'POST /api/payment/services'
/** Wrong types, huge numbers, oversized strings, junk bodies: route, key, body, code, named, what. */
const REFUSED: Array<[string, KeyName | undefined, unknown, string, string, string]> = [
  [services, 'admin', { name: 'svc', team: 5 }, 'invalid_request', 'team', 'a number for team'],
  [services, 'admin', { name: 'svc', team: ['t'] }, 'invalid_request', 'team', 'an array for team'],
  [
    services,
    'admin',
    { name: 'svc', team: 'x'.repeat(81) },
    'invalid_request',
    'team',
    'an 81-character team',
  ],
  [services, 'admin', { name: 'svc', team: 'x'.repeat(70_000) }, 'body_too_large', 'bytes', 'a 70 kB team'],
  [
    services,
    'admin',
    { raw: '{"name":"svc","team":"t","price":1e400}' },
    'invalid_request',
    'price',
    'price 1e400',
  ],
  [
    services,
    'admin',
    { name: 'svc', team: 't', price: `1${'0'.repeat(78)}` },
    'invalid_request',
    'price',
    'a price of 10^78',
  ],
  [
    services,
    'admin',
    { name: 'svc', team: 't', key: 'generate' },
    'invalid_request',
    'key',
    'a string for key',
  ],
  [services, 'admin', { raw: '{"name":' }, 'invalid_json', 'JSON', 'a cut-off body'],
  [
    'POST /api/payment/channels',
    'shop',
    { provider: 'billing', redemptionTimeout: 1e300 },
    'invalid_request',
    'redemptionTimeout',
    'redemptionTimeout 1e300',
  ],
  [
    'POST /api/payment/tokens',
    'shop',
    { raw: '{"provider":"billing","count":1e400}' },
    'invalid_request',
    'count',
    'count 1e400',
  ],
  [
    'POST /api/payment/tokens',
    'shop',
    { provider: 'billing', count: '1' },
    'invalid_request',
    'count',
    'a string for count',
  ],
  [
    'POST /api/payment/tokens',
    'shop',
    { provider: 42 },
    'invalid_request',
    'provider',
    'a number for provider',
  ],
  [
    'POST /api/payment/tokens/verify',
    'billing',
    // One character over the longest token either version can have: the body's schema refuses it.
    { token: 'x'.repeat(MAX_TOKEN_V2_LENGTH + 1) },
    'invalid_request',
    'token',
    'a token one character over the longest possible',
  ],
  [
    'POST /api/payment/tokens/verify',
    'billing',
    { tokens: [7] },
    'invalid_request',
    'tokens.0',
    'a number for a token',
  ],
  [
    'POST /api/services/labels',
    'admin',
    { raw: `{"address":"${NOBODY}","name":"a","team":"t","version":1e400}` },
    'invalid_request',
    'version',
    'version 1e400',
  ],
  ...budgetRefusals(),
  [
    'POST /api/rpc',
    undefined,
    { jsonrpc: '2.0', id: {}, method: 'eth_chainId' },
    'invalid_request',
    'id',
    'an object for id',
  ],
  [
    'POST /api/rpc',
    undefined,
    { jsonrpc: '2.0', id: 1, method: 5 },
    'invalid_request',
    'method',
    'a number for method',
  ],
  // A route that takes no body refuses one that is neither empty nor JSON.
  [
    'POST /api/payment/services/shop/api-key',
    'admin',
    { raw: 'not json' },
    'invalid_json',
    'JSON',
    'a body that is not JSON',
  ],
  ...['redemption', 'termination', 'withdraw'].map(
    (action) =>
      [
        `POST /api/payment/channels/${NOBODY}/${action}`,
        'shop',
        { raw: 'not json' },
        'invalid_json',
        'JSON',
        'a body that is not JSON',
      ] as [string, KeyName, unknown, string, string, string],
  ),
]

/** A copy of `value` with the field at the dotted `path` set to `to`. */
function withField(value: object, path: string, to: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>
  const parts = path.split('.')
  let at = copy
  for (const part of parts.slice(0, -1)) at = at[part] as Record<string, unknown>
  at[parts.at(-1) as string] = to
  return copy
}

/** Every hostile call of the table. */
export function hostileCases(): Case[] {
  const all: Case[] = []
  const call = (route: string, what: string, rest: Omit<Case, 'method' | 'path' | 'title'>) => {
    const [method, path] = route.split(' ') as [Case['method'], string]
    all.push({ title: `${method} ${path.replace(LONG, 'a…a')} with ${what}`, method, path, ...rest })
  }
  for (const { route, key, valid, fields, code = 'invalid_text' } of BODY_ROUTES)
    for (const field of fields)
      for (const [what, text] of BAD_TEXT)
        call(route, `${what} in ${field}`, {
          key,
          body: withField(valid, field, text),
          status: 400,
          code,
          names: field,
        })
  for (const { route, name, key, body } of PARAM_ROUTES) {
    for (const [what, segment] of BAD_SEGMENT)
      call(route.replace('{}', segment), `${what} in {${name}}`, {
        key,
        body,
        status: 400,
        code: 'invalid_text',
        names: name,
      })
    call(route.replace('{}', LONG), `a 600-character {${name}}`, {
      key,
      body,
      status: 400,
      code: 'invalid_request',
      names: name,
    })
  }
  for (const [path, name] of QUERY_ROUTES) {
    for (const [what, value] of BAD_SEGMENT)
      call(`GET ${path}?${name}=${value}`, `${what} in ?${name}`, {
        status: 400,
        code: 'invalid_text',
        names: name,
      })
    call(`GET ${path}?${name}=${LONG}`, `a 600-character ?${name}`, {
      status: 400,
      code: 'invalid_request',
      names: name,
    })
  }
  for (const [route, key, body, code, names, what] of REFUSED)
    call(route, what, { key, body, status: code === 'body_too_large' ? 413 : 400, code, names })
  // Next.js decodes a path parameter once: a route that decoded it again failed on a literal %.
  call('GET /api/costs/services/%25', 'a literal % as {name}', {
    status: 404,
    code: 'unknown_service',
    names: '%',
  })
  return all
}
