import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * What the Payment Server registers for the web server of `npm start` (`stack/web.ts`) to
 * find: the token calls' fast path (./fastPath) and the Payment Server's shutdown. A module of
 * its own without imports, so that the web server reads them without loading a second copy of
 * the Payment Server next to Next.js's bundle.
 */
const FAST_PATH_KEY = Symbol.for('channel-inspector.payment-fast-path')
const SHUTDOWN_KEY = Symbol.for('channel-inspector.payment-shutdown')

/** Serves `req` and returns true when it is a fast-path call; false leaves it to Next.js. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean

/** Closes this process's Payment Server, if one was created (gives back counts taken ahead). */
export type Shutdown = () => Promise<void>

type Hooks = { [FAST_PATH_KEY]?: FastPath; [SHUTDOWN_KEY]?: Shutdown }
const hooks = globalThis as Hooks

/** Registers this process's fast path (instrumentation.ts, through ./fastPath). */
export function registerFastPathHook(fastPath: FastPath): void {
  hooks[FAST_PATH_KEY] = fastPath
}

/** Registers this process's Payment Server shutdown (instrumentation.ts, through ./instance). */
export function registerShutdownHook(shutdown: Shutdown): void {
  hooks[SHUTDOWN_KEY] = shutdown
}

/** The fast path registered in this process, if any. */
export function registeredFastPath(): FastPath | undefined {
  return hooks[FAST_PATH_KEY]
}

/** The Payment Server's shutdown registered in this process, if any. */
export function registeredShutdown(): Shutdown | undefined {
  return hooks[SHUTDOWN_KEY]
}
