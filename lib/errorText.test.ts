import { HttpRequestError } from 'viem'
import { describe, expect, it } from 'vitest'
import { errorText, redactUrl, redactUrls } from './errorText'

const KEY = 'SECRETKEY123'
/** An RPC URL with a key in each place providers put one. */
const withKey = {
  query: `https://rpc.example.com/?apikey=${KEY}&network=main`,
  alchemy: `https://eth-mainnet.g.alchemy.com/v2/${KEY}`,
  infura: 'https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef',
  quicknode: 'https://x.quiknode.pro/abcdef0123456789abcdef0123456789abcdef01/',
  userinfo: `https://user:${KEY}@node.example.com:8545/rpc`,
  keyAsUser: `https://${KEY}@node.example.com`,
}

describe('redactUrl()', () => {
  it('redactUrl() keeps scheme, host and port and hides a key in the query, the path or the userinfo', () => {
    expect(redactUrl(withKey.query)).toBe('https://rpc.example.com/?apikey=***&network=***')
    expect(redactUrl(withKey.alchemy)).toBe('https://eth-mainnet.g.alchemy.com/v2/***')
    expect(redactUrl(withKey.infura)).toBe('https://mainnet.infura.io/v3/***')
    expect(redactUrl(withKey.quicknode)).toBe('https://x.quiknode.pro/***/')
    expect(redactUrl(withKey.userinfo)).toBe('https://***@node.example.com:8545/rpc')
    expect(redactUrl(withKey.keyAsUser)).toBe('https://***@node.example.com')
    for (const url of Object.values(withKey)) expect(redactUrl(url)).not.toMatch(/SECRET|0123456789abcdef/)
  })

  it('redactUrl() leaves a URL without credentials as written, and hides what it cannot parse', () => {
    expect(redactUrl('http://127.0.0.1:8545')).toBe('http://127.0.0.1:8545')
    expect(redactUrl('https://rpc.ankr.com/eth')).toBe('https://rpc.ankr.com/eth')
    expect(redactUrl('postgresql://postgres:pw@127.0.0.1:54320/app?host=%2Ftmp%2Fsocket#x')).toBe(
      'postgresql://***@127.0.0.1:54320/app?host=***#***',
    )
    expect(redactUrl('https://[bad')).toBe('https://***')
    expect(redactUrl('no url')).toBe('***')
  })

  it('redactUrls() redacts every URL in a text and keeps the punctuation after it', () => {
    expect(redactUrls(`POST ${withKey.alchemy}. Then (see ${withKey.query}), done`)).toBe(
      'POST https://eth-mainnet.g.alchemy.com/v2/***. Then (see https://rpc.example.com/?apikey=***&network=***), done',
    )
  })
})

describe('errorText()', () => {
  it('errorText() gives the first line of the message, or the value itself', () => {
    expect(errorText(new Error('node down\nat frame 1'))).toBe('node down')
    expect(errorText({ message: 'plain object\nmore' })).toBe('plain object')
    expect(errorText('a string')).toBe('a string')
    expect(errorText(42)).toBe('42')
    expect(errorText(null)).toBe('null')
    expect(errorText(undefined)).toBe('undefined')
    expect(errorText({ message: 7 })).toBe('[object Object]')
  })

  it('errorText() with withName starts with the Error class name, not for other values', () => {
    expect(errorText(new TypeError('fetch failed\nstack'), { withName: true })).toBe(
      'TypeError: fetch failed',
    )
    expect(errorText('no class', { withName: true })).toBe('no class')
  })

  it('errorText() skips leading blank lines and gives the cause of a Prisma error, not its header', () => {
    // As Prisma 7 words an unreachable database (its messages start with a newline).
    const raw =
      "\nInvalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:1`"
    expect(errorText(new Error(raw))).toBe("Can't reach database server at 127.0.0.1:1")
    const model =
      "\nInvalid `db.channel.count()` invocation in\n/x/y.ts:4:24\n\n→ 4 await db.channel.count(\nCan't reach database server at 127.0.0.1:1"
    expect(errorText(new Error(model))).toBe("Can't reach database server at 127.0.0.1:1")
    expect(errorText(new Error('\n\n  the cause  \nmore'))).toBe('the cause')
  })

  it('errorText() words an error with an empty message by its inner error, cause or code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    expect(errorText(new AggregateError([refused], ''))).toBe('connect ECONNREFUSED 127.0.0.1:1')
    expect(errorText(new Error('', { cause: new Error('inner') }))).toBe('inner')
    expect(errorText(Object.assign(new Error(''), { code: 'ECONNRESET' }))).toBe('ECONNRESET')
    expect(errorText(new TypeError(''))).toBe('TypeError')
  })

  it('errorText() redacts every URL, credentials included, and cuts at maxLength', () => {
    const error = new Error(`connect to postgres://user:pw@db:5432/x failed (see ${withKey.alchemy})\nmore`)
    expect(errorText(error, { withName: true })).toBe(
      'Error: connect to postgres://***@db:5432/x failed (see https://eth-mainnet.g.alchemy.com/v2/***)',
    )
    expect(errorText(new Error('x'.repeat(600)), { maxLength: 500 })).toHaveLength(500)
  })

  it("errorText() with short prefers viem's shortMessage; viem's details never carry the key", () => {
    const error = new HttpRequestError({ url: withKey.alchemy, status: 500, details: 'boom' })
    expect(error.message).toContain(KEY)
    expect(errorText(error, { short: true })).toBe('HTTP request failed.')
    expect(errorText({ shortMessage: 'short', message: 'long' }, { short: true })).toBe('short')
    expect(errorText({ shortMessage: 'short', message: 'long' })).toBe('long')
    for (const line of error.message.split('\n')) expect(errorText(new Error(line))).not.toContain(KEY)
  })
})
