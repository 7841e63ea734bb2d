/** How {@link errorText} words an error; every option is off by default. */
export type ErrorTextOptions = {
  /** Start with the class name of an `Error` (`TypeError: …`), as a log line does. */
  withName?: boolean
  /** Prefer viem's `shortMessage` (the message without its request details) when there is one. */
  short?: boolean
  /** Cut the text to this many characters (it may be stored in a column of bounded use). */
  maxLength?: number
}

/**
 * An error as one line for logs, stored errors and messages: its first meaningful line (for a
 * Prisma error, the cause under its "Invalid `…` invocation" header and code frame; for an empty
 * message, its cause, first inner error or code), so a viem error's request details and a stack
 * never leak into a sentence, with every URL in it redacted ({@link redactUrls}): an RPC or
 * database URL may carry credentials. Client-safe (no Node imports).
 * @example errorText(error, { withName: true }) // 'TypeError: fetch failed'
 * @example errorText(error, { short: true, maxLength: 500 })
 */
export function errorText(error: unknown, options: ErrorTextOptions = {}): string {
  let line = redactUrls(meaningfulLine(error, options.short === true))
  if (options.withName && error instanceof Error) line = `${error.name}: ${line}`
  return options.maxLength === undefined ? line : line.slice(0, options.maxLength)
}

/** The line of an error's message that says what went wrong, or a stand-in when it has none. */
function meaningfulLine(error: unknown, short: boolean, depth = 0): string {
  const e = error as
    | { shortMessage?: unknown; message?: unknown; cause?: unknown; errors?: unknown; code?: unknown }
    | null
    | undefined
  const message = (short ? asString(e?.shortMessage) : undefined) ?? asString(e?.message) ?? String(error)
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
  // Prisma: "\nInvalid `db.x()` invocation in\n<file>\n\n<code frame>\n<the cause>".
  if (lines[0] && /^Invalid `[^`]+` invocation/.test(lines[0]) && lines.length > 1) {
    const last = lines[lines.length - 1] as string
    return /Message: `(.+)`$/.exec(last)?.[1] ?? last
  }
  if (lines[0]) return lines[0]
  // An empty message (Node's AggregateError for a refused connection to every address).
  const inner = Array.isArray(e?.errors) ? e.errors[0] : e?.cause
  if (inner !== undefined && depth < 3) return meaningfulLine(inner, short, depth + 1)
  if (typeof e?.code === 'string') return e.code
  return error instanceof Error ? error.name : message
}

/** Query keys, kept while their values are hidden. */
const HIDDEN = '***'

/**
 * A path segment that reads as a word (`v2`, `rpc`, `eth-mainnet`, `app`) rather than a key:
 * at most 16 lowercase characters with at most 2 digits. Provider keys (Alchemy's 32 mixed-case
 * characters, Infura's 32 hex, QuickNode's 40, Ankr's 64, UUIDs) are never that.
 */
const isWord = (segment: string) =>
  segment.length <= 16 && /^[a-z0-9._-]*$/.test(segment) && (segment.match(/\d/g)?.length ?? 0) <= 2

/**
 * `url` with everything that may be a credential hidden: scheme, host and port are kept; user
 * and password, every query value, the fragment and each path segment that is not a word
 * become `***`. The one redaction of the product: the start summary, logs, errors, health
 * answers and metrics print URLs through it (or {@link redactUrls}, or {@link errorText}).
 * @example redactUrl('https://eth-mainnet.g.alchemy.com/v2/SECRETKEY123') // 'https://eth-mainnet.g.alchemy.com/v2/***'
 * @example redactUrl('postgresql://app:pw@db:5432/app?sslmode=require') // 'postgresql://***@db:5432/app?sslmode=***'
 */
export function redactUrl(url: string): string {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(url)?.[1]
    return scheme ? `${scheme}//${HIDDEN}` : HIDDEN
  }
  const userinfo = u.username || u.password ? `${HIDDEN}@` : ''
  // new URL() adds a "/" path to http(s) URLs without one: keep the URL as it was written.
  const hadPath = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\//i.test(url)
  const path =
    u.pathname === '/' && !hadPath
      ? ''
      : u.pathname
          .split('/')
          .map((segment) => (isWord(segment) ? segment : HIDDEN))
          .join('/')
  const keys = [...u.searchParams.keys()]
  const query = u.search ? `?${keys.map((key) => `${encodeURIComponent(key)}=${HIDDEN}`).join('&')}` : ''
  return `${u.protocol}//${userinfo}${u.host}${path}${query}${u.hash ? `#${HIDDEN}` : ''}`
}

/**
 * `text` with every URL in it passed through {@link redactUrl} (punctuation that ends a
 * sentence after a URL stays outside it).
 * @example redactUrls('POST https://x.io/v2/KEY123abc failed.') // 'POST https://x.io/v2/*** failed.'
 */
export function redactUrls(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi, (match) => {
    const url = match.replace(/[).,;:!?\]}]+$/, '')
    return redactUrl(url) + match.slice(url.length)
  })
}

const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
