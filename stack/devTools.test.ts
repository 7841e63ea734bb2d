import { describe, expect, it } from 'vitest'
import { EMBEDDED_POSTGRES, LOCAL_ANVIL, requireDevTool } from './devTools'
import { StartError } from './preflight'

describe('requireDevTool', () => {
  it('passes when the embedded defaults are installed (a development install)', () => {
    expect(() => requireDevTool(EMBEDDED_POSTGRES)).not.toThrow()
    expect(() => requireDevTool(LOCAL_ANVIL)).not.toThrow()
  })

  it('stops with a sentence naming the setting that replaces a missing tool', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'embedded-postgres'"), { code: 'MODULE_NOT_FOUND' })
    }
    let thrown: unknown
    try {
      requireDevTool(EMBEDDED_POSTGRES, missing)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(StartError)
    expect((thrown as Error).message).toBe(
      'the embedded Postgres is a development tool that this installation does not have (a production install, npm install --omit=dev): set DATABASE_URL, or run npm install to get it.',
    )
    expect(() => requireDevTool(LOCAL_ANVIL, missing)).toThrow(
      /^the local anvil .* set RPC_URL, or run npm install/,
    )
  })
})
