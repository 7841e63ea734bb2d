import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Where the Payment Server's fast path (./fastPath) is registered for the web server
 * (`stack/web.ts`) to find. A module of its own without imports, so that the web server reads
 * the key without loading a second copy of the Payment Server next to Next.js's bundle.
 */
export const FAST_PATH_KEY = Symbol.for('channel-inspector.payment-fast-path')

/** Serves `req` and returns true when it is a fast-path call; false leaves it to Next.js. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean

/** The fast path registered in this process, if any. */
export function registeredFastPath(): FastPath | undefined {
  return (globalThis as { [FAST_PATH_KEY]?: FastPath })[FAST_PATH_KEY]
}
