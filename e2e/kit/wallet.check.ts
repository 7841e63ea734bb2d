/**
 * The test wallet's own check (e2e/kit/wallet.ts), standalone: its own anvil on port 8591, Debian's
 * chromium, a blank page served by a route. Run with `npx tsx e2e/kit/wallet.check.ts`; prints
 * PASS/FAIL per check and exits 1 on any failure. Not a `.spec.ts`, so Playwright leaves it alone.
 *
 * Functions passed to `page.evaluate` here avoid named inner functions: tsx (esbuild keepNames)
 * would wrap them in a `__name` helper the page does not have.
 */
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { chromium } from '@playwright/test'
import { createPublicClient, type Hex, http, verifyMessage, verifyTypedData } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { ANVIL_KEYS } from '../../stack/anvil'
import { injectWallet } from './wallet'

const require = createRequire(import.meta.url)
const PORT = 8591
const rpcUrl = `http://127.0.0.1:${PORT}`
const anvilPath = path.join(
  path.dirname(require.resolve('@foundry-rs/anvil-linux-amd64/package.json')),
  'bin',
  'anvil',
)

let failures = 0
async function check(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run()
    console.log(`PASS ${name}`)
  } catch (error) {
    failures++
    console.log(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`)
  }
}
function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message)
}
const show = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))

type PageError = { code: unknown; message: string; data?: unknown; isError: boolean }

const anvil = spawn(anvilPath, ['--host', '127.0.0.1', '--port', String(PORT), '--silent'], {
  stdio: 'ignore',
})
const anvilExit = new Promise<void>((resolve) => anvil.once('exit', () => resolve()))
// Even if this script crashes: no anvil left behind on the port.
process.once('exit', () => anvil.kill('SIGTERM'))
const client = createPublicClient({ transport: http(rpcUrl), cacheTime: 0, pollingInterval: 50 })

async function waitForAnvil(): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (anvil.exitCode !== null) throw new Error(`anvil exited with ${anvil.exitCode}`)
    try {
      await client.getChainId()
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  throw new Error(`anvil did not answer on ${rpcUrl}`)
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
})
try {
  await waitForAnvil()
  const page = await browser.newPage()
  await page.route('http://wallet.test/**', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><title>wallet check</title><p>blank</p>',
    }),
  )
  // Recorded from before the wallet's own init script, to see the announcement made at load.
  await page.addInitScript(() => {
    const w = window as unknown as { __announcedAtLoad: unknown[] }
    w.__announcedAtLoad = []
    window.addEventListener('eip6963:announceProvider', (event) => {
      w.__announcedAtLoad.push((event as CustomEvent).detail.info)
    })
  })
  const wallet = await injectWallet(page, { privateKey: ANVIL_KEYS[5] as Hex, rpcUrl })
  const expected = privateKeyToAccount(ANVIL_KEYS[5] as Hex).address
  await page.goto('http://wallet.test/')

  /** Calls `window.ethereum.request` in the page; a rejection comes back as its fields. */
  const request = (method: string, params?: unknown) =>
    page.evaluate(
      async ([method, params]) => {
        const ethereum = (window as unknown as { ethereum: { request(a: unknown): Promise<unknown> } })
          .ethereum
        try {
          return { result: await ethereum.request({ method, params }) }
        } catch (e) {
          const error = e as { code: unknown; message: string; data?: unknown }
          return {
            error: {
              code: error.code,
              message: error.message,
              data: error.data,
              isError: e instanceof Error,
            },
          }
        }
      },
      [method, params] as const,
    ) as Promise<{ result?: unknown; error?: PageError }>

  // Records provider events in the page (window.__events), for the checks below.
  await page.evaluate(() => {
    const w = window as unknown as {
      __events: [string, unknown][]
      ethereum: { on(e: string, l: (p: unknown) => void): void }
    }
    w.__events = []
    for (const name of ['accountsChanged', 'chainChanged', 'connect'])
      w.ethereum.on(name, (payload) => w.__events.push([name, payload]))
  })
  const events = () => page.evaluate(() => (window as unknown as { __events: [string, unknown][] }).__events)

  await check('EIP-6963 announcement at load and on eip6963:requestProvider', async () => {
    const atLoad = await page.evaluate(
      () => (window as unknown as { __announcedAtLoad: unknown[] }).__announcedAtLoad,
    )
    assert(atLoad.length === 1, `announced ${atLoad.length} times at load`)
    const seen = await page.evaluate(() => {
      const details: { info: Record<string, unknown>; provider: unknown }[] = []
      window.addEventListener('eip6963:announceProvider', (event) =>
        details.push((event as CustomEvent).detail),
      )
      window.dispatchEvent(new Event('eip6963:requestProvider'))
      return details.map((detail) => ({
        info: detail.info,
        isWindowEthereum: detail.provider === (window as unknown as { ethereum: unknown }).ethereum,
        frozen: Object.isFrozen(detail),
      }))
    })
    assert(seen.length === 1, `${seen.length} announcements`)
    const { info, isWindowEthereum, frozen } = seen[0]!
    assert(info.name === 'E2E Wallet' && info.rdns === 'dev.e2e.wallet', `info ${show(info)}`)
    assert(typeof info.uuid === 'string' && /^[0-9a-f-]{36}$/.test(info.uuid), `uuid ${show(info.uuid)}`)
    assert(
      typeof info.icon === 'string' && info.icon.startsWith('data:image/svg+xml'),
      'icon is not an svg data URI',
    )
    assert(isWindowEthereum && frozen, `provider is window.ethereum: ${isWindowEthereum}, frozen: ${frozen}`)
  })

  await check('eth_accounts is [] before connecting', async () => {
    const { result } = await request('eth_accounts')
    assert(Array.isArray(result) && result.length === 0, `eth_accounts ${show(result)}`)
  })

  await check('eth_requestAccounts gives the address (connect + accountsChanged emitted)', async () => {
    const { result, error } = await request('eth_requestAccounts')
    assert(!error, `error ${show(error)}`)
    assert(show(result) === show([expected]) && wallet.address === expected, `accounts ${show(result)}`)
    const seen = await events()
    assert(
      show(seen) ===
        show([
          ['connect', { chainId: '0x7a69' }],
          ['accountsChanged', [expected]],
        ]),
      `events ${show(seen)}`,
    )
  })

  await check('eth_chainId is 0x7a69 (and net_version 31337)', async () => {
    const chainId = await request('eth_chainId')
    const netVersion = await request('net_version')
    assert(chainId.result === '0x7a69', `eth_chainId ${show(chainId)}`)
    assert(netVersion.result === '31337', `net_version ${show(netVersion)}`)
  })

  await check('eth_getBalance is forwarded to the node', async () => {
    const { result } = await request('eth_getBalance', [expected, 'latest'])
    const balance = await client.getBalance({ address: expected })
    assert(typeof result === 'string' && BigInt(result) === balance, `page ${show(result)}, node ${balance}`)
  })

  await check('unknown methods come back with the node error as-is', async () => {
    const { error } = await request('eth_noSuchMethod', [])
    assert(error?.isError && error.code === -32601, `error ${show(error)}`)
  })

  const recipient = privateKeyToAccount(generatePrivateKey()).address
  await check('eth_sendTransaction of 1 wei is mined', async () => {
    const before = await client.getBalance({ address: recipient })
    const { result: hash, error } = await request('eth_sendTransaction', [
      { from: expected, to: recipient, value: '0x1' },
    ])
    assert(!error && typeof hash === 'string', `error ${show(error)}`)
    const receipt = await client.waitForTransactionReceipt({ hash: hash as Hex })
    assert(receipt.status === 'success', `receipt status ${receipt.status}`)
    const after = await client.getBalance({ address: recipient })
    assert(after - before === 1n, `balance changed by ${after - before}`)
    assert(show(wallet.sent) === show([hash]), `sent ${show(wallet.sent)}`)
  })

  await check('eth_signTypedData_v4 verifies with viem', async () => {
    const typed = {
      types: {
        EIP712Domain: [
          { name: 'name', type: 'string' },
          { name: 'version', type: 'string' },
          { name: 'chainId', type: 'uint256' },
          { name: 'verifyingContract', type: 'address' },
        ],
        Voucher: [
          { name: 'channel', type: 'address' },
          { name: 'amount', type: 'uint256' },
          { name: 'nonce', type: 'uint64' },
          { name: 'tags', type: 'uint8[]' },
        ],
      },
      primaryType: 'Voucher',
      domain: {
        name: 'Check',
        version: '1',
        chainId: '0x7a69',
        verifyingContract: '0x000000000000000000000000000000000000c0de',
      },
      message: { channel: recipient, amount: '1000000000000000000000', nonce: 7, tags: ['0x1', 2] },
    } as const
    const { result: signature, error } = await request('eth_signTypedData_v4', [
      expected,
      JSON.stringify(typed),
    ])
    assert(!error && typeof signature === 'string', `error ${show(error)}`)
    const valid = await verifyTypedData({
      address: expected,
      domain: { ...typed.domain, chainId: 31337 },
      types: { Voucher: typed.types.Voucher },
      primaryType: 'Voucher',
      message: { channel: recipient, amount: 10n ** 21n, nonce: 7n, tags: [1, 2] },
      signature: signature as Hex,
    })
    assert(valid, 'verifyTypedData rejected the signature')
  })

  await check('personal_sign verifies with viem', async () => {
    const { result: signature, error } = await request('personal_sign', ['0x68656c6c6f', expected])
    assert(!error && typeof signature === 'string', `error ${show(error)}`)
    const valid = await verifyMessage({ address: expected, message: 'hello', signature: signature as Hex })
    assert(valid, 'verifyMessage rejected the signature')
  })

  await check(
    'rejectNext() makes the next eth_sendTransaction fail with 4001 and sends nothing',
    async () => {
      const nonce = await client.getTransactionCount({ address: expected, blockTag: 'pending' })
      const sentBefore = wallet.sent.length
      wallet.rejectNext()
      const { result, error } = await request('eth_sendTransaction', [
        { from: expected, to: recipient, value: '0x1' },
      ])
      assert(
        result === undefined && error?.isError && error.code === 4001,
        `answer ${show({ result, error })}`,
      )
      assert(error.message === 'User rejected the request.', `message ${error.message}`)
      const nonceAfter = await client.getTransactionCount({ address: expected, blockTag: 'pending' })
      assert(nonceAfter === nonce && wallet.sent.length === sentBefore, `nonce ${nonce} -> ${nonceAfter}`)
    },
  )

  await check('setChainId(1) emits chainChanged 0x1; switching back to 0x7a69 works', async () => {
    await page.evaluate(() => {
      ;(window as unknown as { __events: unknown[] }).__events.length = 0
    })
    await wallet.setChainId(1)
    assert(show(await events()) === show([['chainChanged', '0x1']]), `events ${show(await events())}`)
    assert((await request('eth_chainId')).result === '0x1', 'eth_chainId is not 0x1')
    const wrongChain = await request('eth_sendTransaction', [{ from: expected, to: recipient, value: '0x1' }])
    assert(wrongChain.error?.code === 4901, `send on the wrong chain ${show(wrongChain)}`)
    const unknown = await request('wallet_switchEthereumChain', [{ chainId: '0x5' }])
    assert(unknown.error?.code === 4902, `switch to 0x5 ${show(unknown)}`)
    const back = await request('wallet_switchEthereumChain', [{ chainId: '0x7a69' }])
    assert(!back.error && back.result === null, `switch back ${show(back)}`)
    assert(
      show(await events()) ===
        show([
          ['chainChanged', '0x1'],
          ['chainChanged', '0x7a69'],
        ]),
      `events ${show(await events())}`,
    )
    assert((await request('eth_chainId')).result === '0x7a69', 'eth_chainId is not 0x7a69')
  })

  await check('a reload keeps eth_accounts', async () => {
    await page.reload()
    const { result } = await request('eth_accounts')
    assert(show(result) === show([expected]), `eth_accounts after reload ${show(result)}`)
  })

  await check('requests were recorded', async () => {
    const methods = wallet.requests.map((r) => r.method)
    for (const method of ['eth_requestAccounts', 'eth_sendTransaction', 'eth_signTypedData_v4'])
      assert(methods.includes(method), `${method} not recorded`)
  })
} catch (error) {
  failures++
  console.log(`FAIL setup: ${error instanceof Error ? error.stack : String(error)}`)
} finally {
  await browser.close()
  anvil.kill('SIGTERM')
  await anvilExit
}

console.log(failures === 0 ? 'ALL PASS' : `${failures} FAILED`)
process.exit(failures === 0 ? 0 : 1)
