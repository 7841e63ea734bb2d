import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'

/** Where the hashed Redoc bundle is served: `${REDOC_ASSET_PATH}/<name>`. */
export const REDOC_ASSET_PATH = '/api/docs/assets'

/**
 * The one address outside this origin that Redoc 2.5.4's bundle loads by itself: the logo of
 * the "API docs by Redocly" credit at the bottom of its sidebar, from Redocly's CDN. Served
 * bundles point it at an empty image of their own instead, so the reference makes no request
 * anywhere else (offline, and nothing tells a CDN who reads the docs); the credit stays.
 */
const OUTSIDE_LOGO = '"https://cdn.redoc.ly/redoc/logo-mini.svg"'
const EMPTY_IMAGE = `"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"`

/** The Redoc standalone bundle this build serves: its bytes, its version and its URL's file name. */
export type RedocBundle = { body: Buffer; version: string; name: string }

let bundle: RedocBundle | undefined

/**
 * The Redoc standalone bundle of node_modules (redoc is a runtime dependency, so a production
 * install and the image keep it), found from the working directory, where `npm start` and the
 * image run (Next.js bundles this module, so its own location says nothing; a `require.resolve`
 * here would make Turbopack trace the whole project), with its logo address made local
 * (OUTSIDE_LOGO). Its file name carries the version and the first 12 hex digits of the served
 * bytes' SHA-256, so it can be cached for a year: a new bundle is a new URL. Read once and kept
 * (1.1 MB). Throws when the bundle no longer holds the logo address (another Redoc version:
 * check what it loads before serving it).
 *
 * @example
 * redocBundle().name // 'redoc-2.5.4-3f1c0a9b2d4e.js'
 */
export function redocBundle(): RedocBundle {
  if (bundle) return bundle
  const root = path.join(/*turbopackIgnore: true*/ process.cwd(), 'node_modules', 'redoc')
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
  const source = readFileSync(path.join(root, 'bundles', 'redoc.standalone.js'), 'utf8')
  if (!source.includes(OUTSIDE_LOGO))
    throw new Error(`Redoc ${version}'s bundle no longer loads ${OUTSIDE_LOGO}: check what it loads now.`)
  const body = Buffer.from(source.replaceAll(OUTSIDE_LOGO, EMPTY_IMAGE))
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12)
  bundle = { body, version, name: `redoc-${version}-${hash}.js` }
  return bundle
}

/**
 * The bundle when `name` is its current file name, else 404 (an old name is not served: its
 * content is gone, and a year-long cache must never keep another one under it).
 */
export function redocBundleResponse(name: string): Response {
  const { body, name: current } = redocBundle()
  if (name !== current) {
    return Response.json(
      {
        error: { code: 'not_found', message: `No asset named ${name}; the API reference loads ${current}.` },
      },
      { status: 404, headers: { 'cache-control': 'no-store' } },
    )
  }
  return new Response(new Uint8Array(body), {
    headers: {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
    },
  })
}
