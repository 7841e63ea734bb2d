'use client'

import { useEffect, useRef, useState } from 'react'
import type { Hex } from 'viem'
import { useConfig } from 'wagmi'
import { signTypedData } from 'wagmi/actions'
import { tableOf } from '@/lib/admin/pricing'
import { checkPastedToken, redemptionValue } from '@/lib/admin/redeemToken'
import {
  checkPastedTokenV2,
  closeWithoutTokenV2,
  type RedeemArgsV2,
  redemptionValueV2,
} from '@/lib/admin/redeemTokenV2'
import { TOKEN_REQUEST_MAX_TTL_SECONDS, tokenRequestTypedData } from '@/lib/admin/tokenRequest'
import { describeWalletError } from '@/lib/admin/walletErrors'
import type { ChannelState } from '@/lib/channel'
import { formatNumber } from '@/lib/explorer/format'
import type { ActionContextV2 } from './channelAction'

/** The token that completes a redemption, as its version's `redeem` takes it. */
export type RedeemToken = { version: 1; requests: bigint; signature: Hex } | ({ version: 2 } & RedeemArgsV2)
/** The redeem card's value: the token, and (version 2) whether to start the next redemption in the same transaction. */
export type RedeemInput = { token: RedeemToken | null; andStart: boolean }
type Source = 'server' | 'paste' | 'zero'

/** The Payment Server's answer (lib/server/admin/redemptionToken.ts), either version. */
type ServerToken = {
  requests?: string | string[]
  prices?: string[] | null
  signature?: Hex
  error?: { message: string }
}

/**
 * Where the token that completes a redemption comes from: the Payment Server of this dashboard
 * (the provider signs a short-lived request with its wallet to prove it is the provider), a token
 * pasted in the wire format (checked here before use), or none (close it for 0 requests). A
 * version 2 channel's token carries counts per category and its ID's prices; the provider may
 * also start the next redemption in the same transaction (`redeemAndStartRedemption`).
 */
export function RedeemTokenPicker({
  state,
  chainId,
  v2,
  onChange,
}: {
  state: ChannelState
  chainId: number
  v2: ActionContextV2 | null
  onChange: (input: RedeemInput) => void
}) {
  const config = useConfig()
  const [source, setSource] = useState<Source>('server')
  const [pasted, setPasted] = useState('')
  const [fetched, setFetched] = useState<{ tokenId: bigint; token: RedeemToken } | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [checked, setChecked] = useState<RedeemToken | null>(null)
  const [andStart, setAndStart] = useState(false)
  const expiring = state.expiringTokenId
  const { address, consumer } = state
  const categories = v2?.categories ?? null
  const expiringTable = v2 ? tableOf(v2.tables, expiring) : null
  const expiringPrices = expiringTable ? expiringTable.prices.join(',') : null

  useEffect(() => {
    if (source !== 'paste' || pasted.trim() === '') {
      setChecked(null)
      if (source === 'paste') setProblem(null)
      return
    }
    let live = true
    const channelState = { address, consumer, expiringTokenId: expiring }
    const check: Promise<{ ok: true; token: RedeemToken } | { ok: false; reason: string }> =
      categories !== null
        ? checkPastedTokenV2({
            text: pasted,
            chainId,
            state: channelState,
            categories,
            expiringPrices: expiringPrices === null ? null : expiringPrices.split(',').map(BigInt),
          }).then((r) => (r.ok ? { ok: true, token: { version: 2, ...r.value } } : r))
        : checkPastedToken({ text: pasted, chainId, state: channelState }).then((r) =>
            r.ok
              ? { ok: true, token: { version: 1, requests: r.token.requests, signature: r.token.signature } }
              : r,
          )
    void check.then((result) => {
      if (!live) return
      setChecked(result.ok ? result.token : null)
      setProblem(result.ok ? null : result.reason)
    })
    return () => {
      live = false
    }
  }, [source, pasted, chainId, address, consumer, expiring, categories, expiringPrices])

  const current: RedeemToken | null =
    source === 'zero'
      ? v2
        ? { version: 2, ...closeWithoutTokenV2 }
        : { version: 1, requests: 0n, signature: '0x' }
      : source === 'paste'
        ? checked
        : fetched && fetched.tokenId === expiring
          ? fetched.token
          : null
  // Reported when what the token says changes, not whenever its object is new (each render).
  const latest = useRef(current)
  latest.current = current
  const key = current ? [current.version, current.requests, current.signature].join('|') : null
  useEffect(() => {
    onChange({ token: key === null ? null : latest.current, andStart })
  }, [key, andStart, onChange])

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
      const body = (await response.json()) as ServerToken
      if (!response.ok || !body.requests || !body.signature) {
        setProblem(body.error?.message ?? `The Payment Server answered HTTP ${response.status}.`)
        return
      }
      const token: RedeemToken = Array.isArray(body.requests)
        ? {
            version: 2,
            requests: body.requests.map(BigInt),
            prices: (body.prices ?? []).map(BigInt),
            signature: body.signature,
          }
        : { version: 1, requests: BigInt(body.requests), signature: body.signature }
      setFetched({ tokenId: expiring, token })
    } catch (error) {
      setProblem(describeWalletError(error))
    } finally {
      setBusy(false)
    }
  }

  const value = !current
    ? null
    : current.version === 2
      ? redemptionValueV2({ token: current, consumerFunds: state.consumerFunds })
      : redemptionValue({ requests: current.requests, state })
  const counted =
    current?.version === 2
      ? current.requests.length === 0
        ? 'no token'
        : current.requests
            .map((n, i) => `${formatNumber(n)} ${v2?.names[i] ?? `category ${i + 1}`}`)
            .join(', ')
      : current
        ? `${formatNumber(current.requests)} requests`
        : ''
  const total = current?.version === 2 ? current.requests.reduce((a, b) => a + b, 0n) : current?.requests
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
          placeholder={
            v2
              ? 'v2.<chainId>.<channel>.<tokenId>.<prices>.<requests>.<signature>'
              : 'v1.<chainId>.<channel>.<tokenId>.<requests>.<signature>'
          }
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
          data-requests={total?.toString()}
          data-wei={value.wei.toString()}
        >
          Token #{expiring.toString()}: {counted} → pays <strong>{value.text}</strong>
        </p>
      )}
      {v2 && (
        <label className="small">
          <input
            type="checkbox"
            checked={andStart}
            onChange={(e) => setAndStart(e.target.checked)}
            data-testid="redeem-and-start"
          />{' '}
          and start the next redemption in the same transaction (at unchanged prices)
        </label>
      )}
    </div>
  )
}
