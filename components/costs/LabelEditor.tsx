'use client'

import { useRouter } from 'next/navigation'
import { type FormEvent, useState } from 'react'
import { type Address, isAddress } from 'viem'
import { useAccount, useConfig } from 'wagmi'
import { signTypedData } from 'wagmi/actions'
import { describeWalletError } from '@/lib/admin/walletErrors'
import {
  LABEL_EDIT_MAX_TTL_SECONDS,
  LABEL_NAME_HINT,
  LABEL_NAME_RULE,
  LABEL_TEAM_HINT,
  LABEL_TEAM_RULE,
  labelEditTypedData,
} from '@/lib/services/labels'
import { useWalletChain } from '../wallet/WalletProvider'

type Props = {
  /** The address being labelled; when absent the form asks for it. */
  address?: string
  name?: string
  team?: string
  /** The label's version (0: none yet). */
  version: number
  /** After saving, open the service's page under its (new) name. */
  openAfterSave?: boolean
}

/**
 * Create or change a service label. The admin's wallet signs the edit (EIP-712 `ServiceLabel`,
 * bound to this chain and factory, valid 10 minutes, naming the version it replaces); the
 * server checks the signer is a label admin. Rules are checked here first, in words.
 */
export function LabelEditor(props: Props) {
  const chain = useWalletChain()
  if (!chain?.factory) {
    return (
      <p className="muted small">Label editing needs the chain's channel factory, which is not known yet.</p>
    )
  }
  return <LabelForm {...props} chainId={chain.id} factory={chain.factory} />
}

function LabelForm({
  address: fixed,
  name: initialName = '',
  team: initialTeam = '',
  version,
  openAfterSave,
  chainId,
  factory,
}: Props & { chainId: number; factory: Address }) {
  const router = useRouter()
  const config = useConfig()
  const { isConnected } = useAccount()
  const [address, setAddress] = useState(fixed ?? '')
  const [name, setName] = useState(initialName)
  const [team, setTeam] = useState(initialTeam)
  const [problem, setProblem] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const check = (): string | null => {
    if (!isAddress(address.trim(), { strict: false })) return 'The address must be 0x and 40 hex digits.'
    if (!LABEL_NAME_RULE.test(name)) return `Name: ${LABEL_NAME_HINT}.`
    if (!LABEL_TEAM_RULE.test(team)) return `Team: ${LABEL_TEAM_HINT}.`
    if (!isConnected) return 'Connect a label admin wallet (top right) to sign the edit.'
    return null
  }

  async function submit(event: FormEvent) {
    event.preventDefault()
    setSaved(null)
    const invalid = check()
    setProblem(invalid)
    if (invalid) return
    setBusy(true)
    try {
      const expiresAt = BigInt(Math.floor(Date.now() / 1000) + LABEL_EDIT_MAX_TTL_SECONDS - 30)
      const edit = {
        service: address.trim().toLowerCase() as Address,
        name,
        team,
        version: BigInt(version),
        expiresAt,
      }
      const signature = await signTypedData(config, labelEditTypedData({ chainId, factory, edit }))
      const response = await fetch('/api/services/labels', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          address: edit.service,
          name,
          team,
          version,
          expiresAt: expiresAt.toString(),
          signature,
        }),
      })
      const body = (await response.json().catch(() => null)) as {
        label?: { name: string; version: number }
        error?: { message: string }
      } | null
      if (!response.ok || !body?.label) {
        setProblem(body?.error?.message ?? `The server answered ${response.status}.`)
        return
      }
      setSaved(`Saved: ${body.label.name} (version ${body.label.version}).`)
      if (openAfterSave) router.push(`/services/${encodeURIComponent(body.label.name)}`)
      else router.refresh()
    } catch (error) {
      setProblem(describeWalletError(error))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="label-form" onSubmit={submit} data-testid="label-form" noValidate>
      {!fixed && (
        <TextField
          label="Address"
          value={address}
          onChange={setAddress}
          placeholder="0x…"
          testId="label-address"
          mono
        />
      )}
      <TextField
        label="Name"
        value={name}
        onChange={setName}
        placeholder="payments-api"
        testId="label-name"
      />
      <TextField label="Team" value={team} onChange={setTeam} placeholder="team-a" testId="label-team" />
      <button type="submit" className="button" disabled={busy} data-testid="label-save">
        {busy ? 'Waiting for the wallet…' : version === 0 ? 'Sign and add label' : 'Sign and save'}
      </button>
      {problem && (
        <p className="form-error" role="alert" data-testid="label-error">
          {problem}
        </p>
      )}
      {saved && (
        <p className="form-ok" role="status" data-testid="label-saved">
          {saved}
        </p>
      )}
    </form>
  )
}

function TextField(p: {
  label: string
  value: string
  onChange: (value: string) => void
  placeholder: string
  testId: string
  mono?: boolean
}) {
  return (
    <label className="field-label">
      {p.label}
      <input
        className={p.mono ? 'input mono' : 'input'}
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        placeholder={p.placeholder}
        spellCheck={p.mono ? false : undefined}
        data-testid={p.testId}
      />
    </label>
  )
}
