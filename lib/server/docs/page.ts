import { BadRequestError } from '../../errors'
import { REDOC_ASSET_PATH, redocBundle } from './redocBundle'

/** The API documents the reference shows, by the `api` query parameter's value. */
export const API_DOCUMENTS = {
  payment: { title: 'Payment Server API', url: '/api/payment/openapi.json' },
  explorer: { title: 'Explorer API', url: '/api/openapi.json' },
} as const

export type ApiName = keyof typeof API_DOCUMENTS

/**
 * The document a `?api=` value names, the Payment Server's without one; 400 `invalid_request`
 * for another value (a link that names no document should say so, not show another one).
 */
export function apiNameOf(value: string | null): ApiName {
  if (value === null) return 'payment'
  if (Object.hasOwn(API_DOCUMENTS, value)) return value as ApiName
  throw new BadRequestError({
    code: 'invalid_request',
    message: `The query parameter api must be ${Object.keys(API_DOCUMENTS).join(' or ')}.`,
  })
}

/**
 * The page's Content-Security-Policy, stricter than the rest of the app (which sets none): the
 * page runs a 1 MB third-party bundle that renders documents, so scripts, data, images and fonts
 * come from this origin only (nothing leaves it: the reference works offline) and no inline
 * script runs. Redoc needs two allowances, on this page only: its search index runs in a worker
 * it makes from a `blob:` URL, and its styled-components write `<style>` elements at run time,
 * which a nonce does not cover (tried: Redoc's `nonce` option, styled-components then fails on
 * its blocked sheet), hence style-src 'unsafe-inline'; styles cannot run code.
 */
export const API_DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  'worker-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Redoc's theme: the site's accent, its system font stack and monospace (no web fonts to fetch). */
const theme = {
  colors: { primary: { main: '#3b5bdb' } },
  typography: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    headings: {
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    },
    code: { fontFamily: 'ui-monospace, "SFMono-Regular", "Cascadia Mono", "Roboto Mono", Menlo, monospace' },
  },
  sidebar: { width: '280px' },
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * `GET /api/docs`: the API reference, Redoc rendering one of the product's OpenAPI documents
 * (`api`: payment or explorer) from this origin only, with links to switch
 * between them, back to the site, and to the raw JSON. No inline script: Redoc initializes
 * itself from the `<redoc spec-url>` element.
 */
export function apiDocsResponse(api: ApiName): Response {
  const { title, url } = API_DOCUMENTS[api]
  const links = (Object.entries(API_DOCUMENTS) as [ApiName, (typeof API_DOCUMENTS)[ApiName]][])
    .map(
      ([name, doc]) =>
        `<a href="/api/docs?api=${name}" data-testid="api-docs-${name}"${name === api ? ' aria-current="page"' : ''}>${escapeHtml(doc.title)}</a>`,
    )
    .join('')
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} reference · Channel inspector</title>
<link rel="icon" href="/icon.svg">
<style>
body { margin: 0; font-family: ${theme.typography.fontFamily}; }
.docs-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 16px; padding: 10px 20px; background: #111827; color: #f3f4f6; }
.docs-bar a { color: #cbd5e1; text-decoration: none; padding: 4px 10px; border-radius: 6px; }
.docs-bar a:hover { color: #fff; background: #1f2937; }
.docs-bar a[aria-current="page"] { color: #fff; background: #374151; }
.docs-bar .brand { color: #fff; font-weight: 650; padding-left: 0; }
.docs-bar nav { display: flex; flex-wrap: wrap; gap: 4px; }
.docs-bar .raw { margin-left: auto; font-size: 0.9em; }
/* Tokens, signatures and wei strings are long: wrapped in the samples rather than cut off. */
.redoc-json .token.string { white-space: normal; word-break: break-all; }
</style>
</head>
<body>
<header class="docs-bar">
<a class="brand" href="/">Channel inspector</a>
<nav aria-label="API documents">${links}</nav>
<a class="raw" href="${url}" data-testid="api-docs-json">OpenAPI JSON</a>
</header>
<redoc spec-url="${url}" theme="${escapeHtml(JSON.stringify(theme))}" native-scrollbars="true"></redoc>
<script src="${REDOC_ASSET_PATH}/${redocBundle().name}"></script>
</body>
</html>
`
  return new Response(html, {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': API_DOCS_CSP,
    },
  })
}
