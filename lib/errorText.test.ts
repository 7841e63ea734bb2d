import { HttpRequestError } from 'viem'
import { describe, expect, it } from 'vitest'
import { errorText } from './errorText'

const rpcUrl = 'https://eth.example.com/v2/SECRET-KEY?x=1'

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

  it('errorText() with hideUrls replaces every URL, credentials included', () => {
    const error = new Error('connect to postgres://user:pw@db:5432/x failed (see https://a.b/c)\nmore')
    expect(errorText(error, { withName: true, hideUrls: true })).toBe(
      'Error: connect to <url> failed (see <url>',
    )
  })

  it('errorText() with hideUrl replaces that URL and its origin, and cuts at maxLength', () => {
    expect(errorText(new Error(`POST ${rpcUrl} failed`), { hideUrl: rpcUrl })).toBe('POST <RPC_URL> failed')
    expect(errorText(new Error('at https://eth.example.com/other'), { hideUrl: rpcUrl })).toBe(
      'at <RPC_URL>/other',
    )
    expect(errorText(new Error('x'.repeat(600)), { maxLength: 500 })).toHaveLength(500)
    expect(errorText(new Error('at a'), { hideUrl: 'not a url' })).toBe('at a')
  })

  it("errorText() with short prefers viem's shortMessage over its detailed message", () => {
    const error = new HttpRequestError({ url: rpcUrl, status: 500, details: 'boom' })
    expect(error.message.split('\n')[0]).toBe(error.shortMessage)
    expect(errorText(error, { short: true, hideUrl: rpcUrl })).toBe('HTTP request failed.')
    expect(errorText({ shortMessage: 'short', message: 'long' }, { short: true })).toBe('short')
    expect(errorText({ shortMessage: 'short', message: 'long' })).toBe('long')
  })
})
