/** How {@link errorText} words an error; every option is off by default. */
export type ErrorTextOptions = {
  /** Start with the class name of an `Error` (`TypeError: …`), as a log line does. */
  withName?: boolean
  /** Prefer viem's `shortMessage` (the message without its request details) when there is one. */
  short?: boolean
  /** Replace every URL with `<url>`: an RPC or database URL may carry credentials. */
  hideUrls?: boolean
  /**
   * Replace this URL, and its origin alone, with `<RPC_URL>`: the one URL known to carry a
   * provider's API key in its path or query.
   */
  hideUrl?: string
  /** Cut the text to this many characters (it may be stored in a column of bounded use). */
  maxLength?: number
}

/**
 * An error as one line for logs, stored errors and messages: the first line of its message (or
 * the value itself when it has none), so a viem error's request details and a stack never leak
 * into a sentence. Client-safe (no Node imports).
 * @example errorText(error, { withName: true, hideUrls: true }) // 'TypeError: fetch failed'
 * @example errorText(error, { short: true, hideUrl: rpcUrl, maxLength: 500 })
 */
export function errorText(error: unknown, options: ErrorTextOptions = {}): string {
  const e = error as { shortMessage?: unknown; message?: unknown } | null | undefined
  const message =
    (options.short ? asString(e?.shortMessage) : undefined) ?? asString(e?.message) ?? String(error)
  let line = message.split('\n')[0] ?? ''
  if (options.withName && error instanceof Error) line = `${error.name}: ${line}`
  if (options.hideUrl) {
    let origin = options.hideUrl
    try {
      origin = new URL(options.hideUrl).origin
    } catch {}
    line = line.replaceAll(options.hideUrl, '<RPC_URL>').replaceAll(origin, '<RPC_URL>')
  }
  if (options.hideUrls) line = line.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>')
  return options.maxLength === undefined ? line : line.slice(0, options.maxLength)
}

const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
