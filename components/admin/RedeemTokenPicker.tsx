'use client'

import { useEffect, useState } from 'react'
import type { Hex } from 'viem'
import { useConfig } from 'wagmi'
import { signTypedData } from 'wagmi/actions'
import { checkPastedToken, redemptionValue } from '@/lib/admin/redeemToken'
import { TOKEN_REQUEST_MAX_TTL_SECONDS, tokenRequestTypedData } from '@/lib/admin/tokenRequest'
import { describeWalletError } from '@/lib/admin/walletErrors'
import type { ChannelState } from '@/lib/channel'
import { formatNumber } from '@/lib/explorer/format'

export type RedeemInput = { requests: bigint; signature: Hex } | null
type Source = 'server' | 'paste' | 'zero'

/**
 * Where the token that completes a redemption comes from: the Payment Server of this dashboard
 * (the provider signs a short-lived request with its wallet to prove it is the provider), a token
 * pasted in the wire format (checked here before use), or none (close it for 0 requests).
 */
export function RedeemTokenPicker({
  state,
  chainId,
  onChange,
}: {
  state: ChannelState
  chainId: number
  onChange: (input: RedeemInput) => void
}) {
  const config = useConfig()
  const [source, setSource] = useState<Source>('server')
  const [pasted, setPasted] = useState('')
  const [fetched, setFetched] = useState<{ tokenId: bigint; requests: bigint; signature: Hex } | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [checked, setChecked] = useState<{ requests: bigint; signature: Hex } | null>(null)
  const expiring = state.expiringTokenId
  const { address, consumer } = state

  useEffect(() => {
    if (source !== 'paste' || pasted.trim() === '') {
      setChecked(null)
      if (source === 'paste') setProblem(null)
      return
    }
    let live = true
    void checkPastedToken({
      text: pasted,
      chainId,
      state: { address, consumer, expiringTokenId: expiring },
    }).then((result) => {
      if (!live) return
      setChecked(result.ok ? { requests: result.token.requests, signature: result.token.signature } : null)
      setProblem(result.ok ? null : result.reason)
    })
    return () => {
      live = false
    }
  }, [source, pasted, chainId, address, consumer, expiring])

  const current: RedeemInput =
    source === 'zero'
      ? { requests: 0n, signature: '0x' }
      : source === 'paste'
        ? checked
        : fetched && fetched.tokenId === expiring
          ? { requests: fetched.requests, signature: fetched.signature }
          : null
  const requests = current?.requests
  const signature = current?.signature
  useEffect(() => {
    onChange(requests === undefined || signature === undefined ? null : { requests, signature })
  }, [requests, signature, onChange])

  async function fetchFromServer() {
    setBusy(true)
    setProblem(null)
    try {
      const expiresAt = BigInt(Math.floor(Date.now() / 1000) + TOKEN_REQUEST_MAX_TTL_SECONDS - 60)
      const request = { channel: state.address, tokenId: expiring, expiresAt }
      const signature = await signTypedData(config, tokenRequestTypedData({ chainId, request }))
      const response = await fetch(`/api/channels/${state.address}/redemption-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tokenId: expiring.toString(), expiresAt: expiresAt.toString(), signature }),
      })
      const body = (await response.json()) as {
        requests?: string
        signature?: Hex
        error?: { message: string }
      }
      if (!response.ok || !body.requests || !body.signature) {
        setProblem(body.error?.message ?? `The Payment Server answered HTTP ${response.status}.`)
        return
      }
      setFetched({ tokenId: expiring, requests: BigInt(body.requests), signature: body.signature })
    } catch (error) {
      setProblem(describeWalletError(error))
    } finally {
      setBusy(false)
    }
  }

  const value = current ? redemptionValue({ requests: current.requests, state }) : null
  return (
    <div className="redeem-picker" data-testid="redeem-picker">
      <fieldset className="radio-row">
        <legend className="sr-only">Token to redeem</legend>
        {(
          [
            ['server', 'From the Payment Server'],
            ['paste', 'Paste a token'],
            ['zero', 'No token (0 requests)'],
          ] as const
        ).map(([id, label]) => (
          <label key={id}>
            <input
              type="radio"
              name={`redeem-source-${state.address}`}
              checked={source === id}
              onChange={() => {
                setSource(id)
                setProblem(null)
              }}
              data-testid={`redeem-source-${id}`}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
      {source === 'server' && (
        <p className="small">
          <button
            type="button"
            className="link-button"
            onClick={fetchFromServer}
            disabled={busy || expiring === 0n}
            data-testid="redeem-fetch"
          >
            {busy ? 'Waiting for your signature…' : `Fetch the highest accepted token for #${expiring}`}
          </button>{' '}
          <span className="muted">
            (you sign a request valid for 10 minutes; nothing is sent to the chain)
          </span>
        </p>
      )}
      {source === 'paste' && (
        <textarea
          className="token-input"
          rows={3}
          placeholder="v1.<chainId>.<channel>.<tokenId>.<requests>.<signature>"
          value={pasted}
          onChange={(e) => setPasted(e.target.value)}
          data-testid="redeem-paste"
          spellCheck={false}
        />
      )}
      {problem && (
        <p className="field-error" data-testid="redeem-problem">
          {problem}
        </p>
      )}
      {current && value && (
        <p
          className="small"
          data-testid="redeem-summary"
          data-requests={current.requests.toString()}
          data-wei={value.wei.toString()}
        >
          Token #{expiring.toString()}: {formatNumber(current.requests)} requests → pays{' '}
          <strong>{value.text}</strong>
        </p>
      )}
    </div>
  )
}
