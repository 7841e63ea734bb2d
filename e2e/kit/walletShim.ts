/**
 * The page side of the test wallet (see ./wallet.ts): an init script that defines the EIP-1193
 * provider, routes its requests through the `__e2eWalletRequest` binding to Node, and announces it
 * through EIP-6963.
 */

const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#1f6feb"/>' +
  '<text x="16" y="21" font-family="monospace" font-size="12" text-anchor="middle" fill="#fff">E2E</text></svg>'
const ICON = `data:image/svg+xml;base64,${Buffer.from(ICON_SVG).toString('base64')}`

/**
 * The page side, as plain JavaScript: tsx/esbuild would decorate a serialized TypeScript function
 * with `__name(...)` helpers that do not exist in the page.
 */
const SHIM = `(config) => {
  if (typeof window.__e2eWalletEmit === 'function') return
  const listeners = new Map()
  const rpcError = (shape) => {
    const error = new Error(String(shape.message))
    error.code = Number(shape.code)
    error.data = shape.data
    return error
  }
  const provider = {
    isMetaMask: false,
    isE2EWallet: true,
    async request(args) {
      if (!args || typeof args !== 'object' || typeof args.method !== 'string') {
        throw rpcError({ code: -32600, message: 'Invalid request: expected { method, params }' })
      }
      const binding = window.__e2eWalletRequest
      if (typeof binding !== 'function') {
        throw rpcError({ code: 4900, message: 'E2E wallet: the Node binding is missing' })
      }
      const reply = await binding(args.method, args.params)
      if (reply && reply.error) throw rpcError(reply.error)
      return reply ? reply.result : undefined
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event).add(listener)
      return provider
    },
    removeListener(event, listener) {
      listeners.get(event)?.delete(listener)
      return provider
    },
  }
  provider.off = provider.removeListener
  Object.defineProperty(window, '__e2eWalletEmit', {
    value: (event, payload) => {
      for (const listener of [...(listeners.get(event) ?? [])]) {
        try {
          listener(payload)
        } catch (error) {
          console.error(error)
        }
      }
    },
  })
  Object.defineProperty(window, 'ethereum', { value: provider, configurable: true, enumerable: true, writable: true })
  const info = Object.freeze({ uuid: config.uuid, name: config.name, icon: config.icon, rdns: config.rdns })
  const detail = Object.freeze({ info, provider })
  const announce = () => window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail }))
  window.addEventListener('eip6963:requestProvider', announce)
  announce()
}`

/** The init script for one wallet: the shim called with the wallet's EIP-6963 identity. */
export function walletInitScript(config: { uuid: string; name: string; rdns: string }): string {
  return `(${SHIM})(${JSON.stringify({ ...config, icon: ICON })})`
}
