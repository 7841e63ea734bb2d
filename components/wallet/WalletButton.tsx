'use client'

import { useEffect, useRef, useState } from 'react'
import { useBalance, useConnect, useConnection, useConnectors, useDisconnect, useSwitchChain } from 'wagmi'
import { describeConnectError, describeWalletError } from '@/lib/admin/walletErrors'
import { formatWei, shortAddress } from '@/lib/explorer/format'
import { useWalletChain } from './WalletProvider'

/**
 * The header's wallet control: connect (every wallet announced through EIP-6963, else the
 * browser's injected one), then the account with its balance, a disconnect button, and a prompt
 * to switch when the wallet is on another chain than the dashboard's.
 */
export function WalletButton() {
  const chain = useWalletChain()
  if (!chain) {
    return (
      <span className="wallet muted" data-testid="wallet-unavailable" title="The chain node does not answer.">
        Wallet: chain unavailable
      </span>
    )
  }
  return <WalletControl chainId={chain.id} chainName={chain.name} />
}

function WalletControl({ chainId, chainName }: { chainId: number; chainName: string }) {
  const connection = useConnection()
  const { disconnect } = useDisconnect()
  const { switchChain, isPending: switching, error: switchError } = useSwitchChain()
  const balance = useBalance({ address: connection.address, chainId, query: { refetchInterval: 4_000 } })

  // Only a reconnect (on load) hides the menu: while connecting the menu stays mounted, so the
  // error of the connect it started (a declined connection) is still there to be shown.
  if (connection.status === 'reconnecting') {
    return (
      <span className="wallet muted" data-testid="wallet-pending">
        Wallet…
      </span>
    )
  }
  if (!connection.address) return <ConnectMenu />
  const wrongChain = connection.chainId !== chainId
  const wei = balance.data?.value
  return (
    <span className="wallet" data-testid="wallet-connected">
      {wrongChain ? (
        <span className="wallet-warning" data-testid="wallet-wrong-chain">
          Wallet on chain {connection.chainId}.{' '}
          <button
            type="button"
            className="button small-button"
            onClick={() => switchChain({ chainId })}
            disabled={switching}
            data-testid="wallet-switch"
          >
            {switching ? 'Switching…' : `Switch to ${chainName}`}
          </button>
          {switchError && (
            <span className="wallet-error" role="alert" data-testid="wallet-error">
              {describeWalletError(switchError)}
            </span>
          )}
        </span>
      ) : null}
      <a
        href={`/address/${connection.address.toLowerCase()}`}
        className="wallet-account"
        title={connection.address}
        data-testid="wallet-account"
        data-address={connection.address.toLowerCase()}
      >
        <span className="wallet-dot" aria-hidden /> {shortAddress(connection.address.toLowerCase())}
      </a>
      <span className="wallet-balance" data-testid="wallet-balance" data-wei={wei?.toString() ?? ''}>
        {wei === undefined ? '…' : shortEth(wei)}
      </span>
      <button
        type="button"
        className="link-button"
        onClick={() => disconnect()}
        data-testid="wallet-disconnect"
      >
        Disconnect
      </button>
    </span>
  )
}

/** At most 4 decimals for the header ('9,999.9876 ETH'); the exact amount is in the title. */
function shortEth(wei: bigint): string {
  const exact = formatWei(wei, 'ETH')
  const [number = '', unit] = exact.split(' ')
  const [whole, fraction = ''] = number.split('.')
  const cut = fraction.slice(0, 4).replace(/0+$/, '')
  return `${whole}${cut ? `.${cut}` : ''}${cut.length < fraction.replace(/0+$/, '').length ? '…' : ''} ${unit}`
}

function ConnectMenu() {
  const connectors = useConnectors()
  const { connect, isPending, error, reset } = useConnect()
  const [open, setOpen] = useState(false)
  const ref = useRef<HTMLSpanElement>(null)
  useEffect(() => {
    if (!open) return
    const close = (event: MouseEvent) => {
      if (ref.current && !ref.current.contains(event.target as Node)) setOpen(false)
    }
    document.addEventListener('mousedown', close)
    return () => document.removeEventListener('mousedown', close)
  }, [open])
  // Wallets that announced themselves (EIP-6963) first; the generic injected one only without them.
  const announced = connectors.filter((c) => c.id !== 'injected')
  const shown = announced.length > 0 ? announced : connectors
  return (
    <span className="wallet wallet-menu-anchor" ref={ref}>
      <button
        type="button"
        className="button"
        onClick={() => {
          reset()
          setOpen((o) => !o)
        }}
        disabled={isPending}
        data-testid="wallet-connect"
      >
        {isPending ? 'Connecting…' : 'Connect wallet'}
      </button>
      {open && (
        <span className="wallet-menu" role="menu" data-testid="wallet-menu">
          {shown.map((connector) => (
            <button
              key={connector.uid}
              type="button"
              role="menuitem"
              className="wallet-option"
              data-testid="wallet-connector"
              data-name={connector.name}
              onClick={() => {
                setOpen(false)
                connect({ connector })
              }}
            >
              {/* biome-ignore lint/performance/noImgElement: a wallet's icon is a data: URI it announced, nothing to optimise */}
              {connector.icon ? <img src={connector.icon} alt="" width={20} height={20} /> : null}
              {connector.id === 'injected' ? 'Browser wallet' : connector.name}
            </button>
          ))}
          <span className="wallet-menu-note">
            Any EIP-1193 wallet works (MetaMask, Rabby…); nothing is sent without your signature.
          </span>
        </span>
      )}
      {error && (
        <span className="wallet-error" role="alert" data-testid="wallet-error">
          {describeConnectError(error)}
        </span>
      )}
    </span>
  )
}
