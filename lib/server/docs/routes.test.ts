import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { dashboardRoutes } from '../dashboard/routes'
import { handlersOf } from '../http/route'
import { REDOC_ASSET_PATH, redocBundle } from './redocBundle'
import { docsRoutes } from './routes'

const page = handlersOf(dashboardRoutes, '/api/docs').GET
const asset = handlersOf(dashboardRoutes, '/api/docs/assets/{file}').GET
const noParams = { params: Promise.resolve({}) }
const get = (query = '') => page(new Request(`http://127.0.0.1/api/docs${query}`), noParams)

describe('the API reference', () => {
  it('GET /api/docs renders the Payment Server document with the hashed bundle, under a CSP of its own (no inline script)', async () => {
    const response = await get()
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await response.text()
    expect(html).toContain('<redoc spec-url="/api/payment/openapi.json"')
    expect(html).toContain(`<script src="${REDOC_ASSET_PATH}/${redocBundle().name}"></script>`)
    expect(html).not.toMatch(/<script>|https?:\/\/(?!www\.w3\.org)/)
    const csp = response.headers.get('content-security-policy')
    expect(csp).toContain("script-src 'self';")
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain('worker-src blob:')
    expect(csp?.match(/'unsafe-[\w-]+'/g)).toEqual(["'unsafe-inline'"])
    expect(csp).toContain("style-src 'self' 'unsafe-inline'")
  })

  it('GET /api/docs?api=explorer renders the explorer document; another name or unfit text is a 400 with its code', async () => {
    expect(await (await get('?api=explorer')).text()).toContain('<redoc spec-url="/api/openapi.json"')
    const unknown = await get('?api=%3Cscript%3E')
    expect(unknown.status).toBe(400)
    expect(await unknown.json()).toEqual({
      error: { code: 'invalid_request', message: 'The query parameter api must be payment or explorer.' },
    })
    const control = await get('?api=a%00b')
    expect(control.status).toBe(400)
    expect(await control.json()).toMatchObject({ error: { code: 'invalid_text' } })
  })

  it('GET /api/docs/assets/{file} answers the bundle its name hashes (no CDN address left), cached for a year; any other name is 404', async () => {
    const { name, version } = redocBundle()
    expect(docsRoutes.map((r) => r.path)).toContain(`${REDOC_ASSET_PATH}/{file}`)
    expect(name).toMatch(new RegExp(`^redoc-${version.replaceAll('.', '\\.')}-[0-9a-f]{12}\\.js$`))
    const response = await asset(new Request(`http://127.0.0.1${REDOC_ASSET_PATH}/${name}`), {
      params: Promise.resolve({ file: name }),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    const body = Buffer.from(await response.arrayBuffer())
    expect(name).toContain(createHash('sha256').update(body).digest('hex').slice(0, 12))
    // Redoc's own bundle, but for the one image it would fetch from Redocly's CDN.
    const original = readFileSync('node_modules/redoc/bundles/redoc.standalone.js', 'utf8')
    expect(original).toContain('https://cdn.redoc.ly/')
    expect(body.toString()).not.toContain('https://cdn.redoc.ly/')
    expect(body.length).toBeGreaterThan(original.length - 100)
    const old = await asset(new Request(`http://127.0.0.1${REDOC_ASSET_PATH}/redoc.js`), {
      params: Promise.resolve({ file: 'redoc.js' }),
    })
    expect(old.status).toBe(404)
    expect(old.headers.get('cache-control')).toBe('no-store')
    expect(await old.json()).toMatchObject({ error: { code: 'not_found' } })
  })
})
