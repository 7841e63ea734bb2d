/**
 * A test-only injected wallet for Playwright: the page gets an EIP-1193 `window.ethereum`, announced
 * through EIP-6963 like a browser extension would, while the private key and every signature stay in
 * Node (viem). End-to-end tests thus drive the dashboard's real injected-connector path (the same
 * code that talks to MetaMask or Rabby: discovery, `wallet_requestPermissions`, `eth_accounts`,
 * `chainChanged`, …) without a browser extension and without putting a key in the page.
 *
 * How it works: `injectWallet` exposes ONE page binding, `__e2eWalletRequest(method, params)`
 * (`page.exposeBinding`: this page only, all of its frames; popups and other pages of the context
 * get no wallet), and adds an init script that defines the provider on every navigation. Every
 * `provider.request()` goes through the binding to Node, which answers `{ result }` or
 * `{ error: { code, message, data } }` (never throws across the binding, so the page rebuilds an
 * EIP-1193 error with its numeric `code`). Wallet methods are answered in Node, signing uses the
 * key, and everything else is forwarded raw to the node. Node emits provider events
 * (`accountsChanged`, `chainChanged`, `connect`) by calling `window.__e2eWalletEmit` in the page.
 *
 * Call `injectWallet` BEFORE `page.goto`: the init script only runs on navigations that follow it.
 * Call it once per page (a binding name can be exposed once). The wallet's state lives in Node, so
 * it survives reloads and navigations: once connected, `eth_accounts` keeps answering the address
 * (a real wallet remembers the site) until `wallet_revokePermissions`.
 *
 * Signing methods this wallet does not implement (`eth_sign`, `eth_signTransaction`, older
 * `eth_signTypedData*`) and unknown `wallet_*` methods are refused with 4200 rather than forwarded:
 * anvil would otherwise sign them with its own unlocked dev keys behind the test's back.
 */
import { randomUUID } from 'node:crypto'
import type { Page } from '@playwright/test'
import {
  type AccessList,
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  isAddress,
  isAddressEqual,
  isHex,
  numberToHex,
  type PrivateKeyAccount,
  type TypedDataDefinition,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  invalidParams,
  normalizeTyped,
  quantity,
  REFUSED_METHODS,
  type Reply,
  type RpcErrorShape,
  SIGNING_METHODS,
  toRpcError,
  unauthorized,
  userRejected,
  WalletError,
} from './walletRpc'
import { walletInitScript } from './walletShim'

export type InjectWalletOptions = {
  /** The key the wallet signs with (it never leaves Node). */
  privateKey: Hex
  /** JSON-RPC endpoint of the node (e.g. `anvilUrl` from ./chain). */
  rpcUrl: string
  /** EIP-6963 name shown by wallet pickers; "E2E Wallet" by default. */
  name?: string
  /** EIP-6963 reverse-DNS id (wagmi uses it as the connector id); "dev.e2e.wallet" by default. */
  rdns?: string
}

/** One `provider.request()` the page made, as it arrived in Node. */
export type WalletRequest = { method: string; params: unknown }

export type TestWallet = {
  /** Address of the current account (changes with `switchAccount`). */
  readonly address: Address
  /** The current viem account (signs in Node). */
  readonly account: PrivateKeyAccount
  /**
   * Makes the next signing request (`eth_sendTransaction`, `personal_sign`, `eth_signTypedData_v4`),
   * or the next request of `method` if given (any method, e.g. `eth_requestAccounts`), fail with
   * `{ code: 4001, message: 'User rejected the request.' }`. Calls queue up.
   */
  rejectNext(method?: string): void
  /** Reports chain `id` to the page (emits `chainChanged`); the node stays where it is. */
  setChainId(id: number): Promise<void>
  /** Signs with another key from now on; emits `accountsChanged` if the site is connected. */
  switchAccount(privateKey: Hex): Promise<void>
  /** Every request the page made, in order (for assertions). */
  readonly requests: WalletRequest[]
  /** Hashes of the transactions the wallet sent, in order. */
  readonly sent: Hex[]
}

/**
 * Installs the wallet on `page`. Call before `page.goto` (see the module comment); the returned
 * object controls the wallet from the test.
 */
export async function injectWallet(page: Page, options: InjectWalletOptions): Promise<TestWallet> {
  const { rpcUrl } = options
  const transport = http(rpcUrl)
  const publicClient = createPublicClient({ transport, cacheTime: 0 })
  const nodeChainId = await publicClient.getChainId()
  const chain = defineChain({
    id: nodeChainId,
    name: 'E2E node',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
  const walletClient = createWalletClient({ chain, transport, cacheTime: 0 })

  let account = privateKeyToAccount(options.privateKey)
  let reportedChainId = nodeChainId
  let connectedAt: number | undefined
  const rejections: (string | undefined)[] = []
  const requests: WalletRequest[] = []
  const sent: Hex[] = []
  let rpcId = 0

  /** Calls `window.__e2eWalletEmit` in every frame that has it (frames navigating away are skipped). */
  async function emit(event: string, payload: unknown): Promise<void> {
    await Promise.all(
      page
        .frames()
        .map((frame) =>
          frame
            .evaluate(
              ([name, data]) =>
                (
                  window as unknown as { __e2eWalletEmit?: (e: unknown, p: unknown) => void }
                ).__e2eWalletEmit?.(name, data),
              [event, payload] as const,
            )
            .catch(() => undefined),
        ),
    )
  }

  function takeRejection(method: string): boolean {
    const index = rejections.findIndex(
      (m) => m === method || (m === undefined && SIGNING_METHODS.has(method)),
    )
    if (index === -1) return false
    rejections.splice(index, 1)
    return true
  }

  /** Transactions go out one at a time, so each one's nonce counts the one before it. */
  let txQueue: Promise<unknown> = Promise.resolve()
  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = txQueue.then(task, task)
    txQueue = run.catch(() => undefined)
    return run
  }

  async function connect(): Promise<void> {
    if (connectedAt !== undefined) return
    connectedAt = Date.now()
    await emit('connect', { chainId: numberToHex(reportedChainId) })
    await emit('accountsChanged', [account.address])
  }

  function permissions(origin: string) {
    if (connectedAt === undefined) return []
    return [
      {
        id: `e2e-wallet-eth_accounts`,
        parentCapability: 'eth_accounts',
        invoker: origin,
        caveats: [{ type: 'restrictReturnedAccounts', value: [account.address] }],
        date: connectedAt,
      },
    ]
  }

  function requireSigner(from: unknown): void {
    if (connectedAt === undefined) throw unauthorized('the site is not connected (eth_requestAccounts first)')
    if (
      from !== undefined &&
      (typeof from !== 'string' || !isAddress(from) || !isAddressEqual(from, account.address))
    )
      throw unauthorized(`cannot sign for ${String(from)}, the wallet's account is ${account.address}`)
  }

  async function forward(method: string, params: unknown): Promise<unknown> {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params: params ?? [] }),
    })
    const text = await response.text()
    let body: { result?: unknown; error?: RpcErrorShape }
    try {
      body = JSON.parse(text)
    } catch {
      throw new WalletError(
        -32603,
        `E2E wallet: the node answered HTTP ${response.status}: ${text.slice(0, 200)}`,
      )
    }
    if (body.error) throw new WalletError(body.error.code, body.error.message, body.error.data)
    return body.result ?? null
  }

  async function sendTransaction(params: unknown[]): Promise<Hex> {
    const tx = (params[0] ?? {}) as Record<string, unknown>
    requireSigner(tx.from ?? undefined)
    if (reportedChainId !== nodeChainId)
      throw new WalletError(
        4901,
        `E2E wallet: reports chain ${reportedChainId} but can only send on the node's chain ${nodeChainId}`,
      )
    if (takeRejection('eth_sendTransaction')) throw userRejected()
    const types: Record<string, 'legacy' | 'eip2930' | 'eip1559'> = {
      '0x0': 'legacy',
      '0x1': 'eip2930',
      '0x2': 'eip1559',
    }
    const nonce = quantity(tx.nonce)
    const request = {
      account,
      chain,
      to: (tx.to ?? undefined) as Address | undefined,
      data: (tx.data ?? tx.input ?? undefined) as Hex | undefined,
      value: quantity(tx.value),
      gas: quantity(tx.gas),
      nonce: nonce === undefined ? undefined : Number(nonce),
      gasPrice: quantity(tx.gasPrice),
      maxFeePerGas: quantity(tx.maxFeePerGas),
      maxPriorityFeePerGas: quantity(tx.maxPriorityFeePerGas),
      accessList: (tx.accessList ?? undefined) as AccessList | undefined,
      type: typeof tx.type === 'string' ? types[tx.type] : undefined,
    }
    for (const key of Object.keys(request) as (keyof typeof request)[])
      if (request[key] === undefined) delete request[key]
    const hash = await serialized(() =>
      walletClient.sendTransaction(request as unknown as Parameters<typeof walletClient.sendTransaction>[0]),
    )
    sent.push(hash)
    return hash
  }

  async function personalSign(params: unknown[]): Promise<Hex> {
    let [message, from] = params
    // Some dapps send [address, message]: accept it when only the first one is our address.
    if (typeof message === 'string' && isAddress(message) && !(typeof from === 'string' && isAddress(from)))
      [message, from] = [from, message]
    requireSigner(from)
    if (takeRejection('personal_sign')) throw userRejected()
    if (typeof message !== 'string') throw invalidParams('personal_sign expects [message, address]')
    return account.signMessage({ message: isHex(message) ? { raw: message } : message })
  }

  async function signTypedDataV4(params: unknown[]): Promise<Hex> {
    const [from, json] = params
    requireSigner(from)
    let typed: {
      types?: Record<string, { name: string; type: string }[]>
      domain?: Record<string, unknown>
      primaryType?: string
      message?: unknown
    }
    try {
      typed = typeof json === 'string' ? JSON.parse(json) : (json as typeof typed)
    } catch {
      throw invalidParams('eth_signTypedData_v4 expects [address, JSON string]')
    }
    if (!typed?.types || !typed.primaryType) throw invalidParams('typed data without types or primaryType')
    const { EIP712Domain: _, ...types } = typed.types
    const domain = { ...(typed.domain ?? {}) }
    if (domain.chainId !== undefined && domain.chainId !== null) {
      const chainId = quantity(domain.chainId)!
      if (Number(chainId) !== reportedChainId)
        throw invalidParams(`typed data is for chain ${chainId}, the wallet is on chain ${reportedChainId}`)
      domain.chainId = chainId
    }
    if (takeRejection('eth_signTypedData_v4')) throw userRejected()
    const message = normalizeTyped(typed.primaryType, typed.message, types)
    return account.signTypedData({
      domain,
      types,
      primaryType: typed.primaryType,
      message,
    } as unknown as TypedDataDefinition)
  }

  async function handle(origin: string, method: string, params: unknown): Promise<unknown> {
    const list = Array.isArray(params) ? params : []
    if (!SIGNING_METHODS.has(method) && takeRejection(method)) throw userRejected()
    switch (method) {
      case 'eth_accounts':
        return connectedAt === undefined ? [] : [account.address]
      case 'eth_requestAccounts':
        await connect()
        return [account.address]
      case 'wallet_requestPermissions': {
        const wanted = (list[0] ?? {}) as Record<string, unknown>
        if (!('eth_accounts' in wanted)) throw invalidParams('only the eth_accounts permission exists here')
        await connect()
        return permissions(origin)
      }
      case 'wallet_getPermissions':
        return permissions(origin)
      case 'wallet_revokePermissions':
        if (connectedAt !== undefined) {
          connectedAt = undefined
          await emit('accountsChanged', [])
        }
        return null
      case 'eth_chainId':
        return numberToHex(reportedChainId)
      case 'net_version':
        return String(reportedChainId)
      case 'wallet_switchEthereumChain':
      case 'wallet_addEthereumChain': {
        const wanted = quantity((list[0] as { chainId?: unknown } | undefined)?.chainId)
        if (wanted === undefined) throw invalidParams(`${method} expects [{ chainId }]`)
        if (Number(wanted) === reportedChainId) return null
        if (Number(wanted) !== nodeChainId) {
          if (method === 'wallet_addEthereumChain')
            throw invalidParams(`cannot add chain ${wanted}: only the node's chain ${nodeChainId} is served`)
          throw new WalletError(4902, `Unrecognized chain ID "${numberToHex(wanted)}".`)
        }
        reportedChainId = nodeChainId
        await emit('chainChanged', numberToHex(nodeChainId))
        return null
      }
      case 'eth_sendTransaction':
        return sendTransaction(list)
      case 'personal_sign':
        return personalSign(list)
      case 'eth_signTypedData_v4':
        return signTypedDataV4(list)
    }
    if (REFUSED_METHODS.has(method) || method.startsWith('wallet_'))
      throw new WalletError(4200, `E2E wallet: ${method} is not supported`)
    return forward(method, params)
  }

  await page.exposeBinding('__e2eWalletRequest', async (source, method: unknown, params: unknown) => {
    requests.push({ method: String(method), params })
    let origin = 'unknown'
    try {
      origin = new URL(source.frame.url()).origin
    } catch {}
    try {
      return { result: await handle(origin, String(method), params) } satisfies Reply
    } catch (error) {
      return { error: toRpcError(error) } satisfies Reply
    }
  })
  const config = {
    uuid: randomUUID(),
    name: options.name ?? 'E2E Wallet',
    rdns: options.rdns ?? 'dev.e2e.wallet',
  }
  await page.addInitScript(walletInitScript(config))

  return {
    get address() {
      return account.address
    },
    get account() {
      return account
    },
    rejectNext(method?: string) {
      rejections.push(method)
    },
    async setChainId(id: number) {
      if (id === reportedChainId) return
      reportedChainId = id
      await emit('chainChanged', numberToHex(id))
    },
    async switchAccount(privateKey: Hex) {
      const next = privateKeyToAccount(privateKey)
      if (isAddressEqual(next.address, account.address)) return
      account = next
      if (connectedAt !== undefined) await emit('accountsChanged', [account.address])
    },
    requests,
    sent,
  }
}
