import { describe, expect, it } from 'vitest'
import { parseEnv } from './env'

describe('parseEnv()', () => {
  it('parseEnv() fills the documented defaults for an empty environment', () => {
    const env = parseEnv({})
    expect(env).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3000,
      DATA_DIR: '.data',
      EMBEDDED_PG_PORT: 54320,
      ANVIL_PORT: 8545,
      ANVIL_CHAIN_ID: 31337,
      LOG_LEVEL: 'info',
    })
    expect(env.DATABASE_URL).toBeUndefined()
    expect(env.RPC_URL).toBeUndefined()
  })

  it('parseEnv() lowercases addresses and keeps block numbers exact', () => {
    const env = parseEnv({
      FACTORY_ADDRESS: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      FACTORY_BLOCK: '18446744073709551617',
    })
    expect(env.FACTORY_ADDRESS).toBe('0x5fbdb2315678afecb367f032d93f642f64180aa3')
    expect(env.FACTORY_BLOCK).toBe(18446744073709551617n)
  })

  it('parseEnv() names every bad variable in one error and never echoes a key', () => {
    let message = ''
    try {
      parseEnv({
        PORT: '70000',
        RPC_URL: 'not a url',
        DEPLOYER_PRIVATE_KEY: '0xsecretsecret',
        LOG_LEVEL: 'loud',
      })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/PORT/)
    expect(message).toMatch(/RPC_URL/)
    expect(message).toMatch(/DEPLOYER_PRIVATE_KEY: must be a 0x-prefixed 32-byte hex private key/)
    expect(message).toMatch(/LOG_LEVEL/)
    expect(message).not.toContain('0xsecretsecret')
  })
})
