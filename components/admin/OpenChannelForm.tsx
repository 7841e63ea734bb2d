'use client'

import { useRouter } from 'next/navigation'
import { useEffect, useState } from 'react'
import { type Address, parseEventLogs } from 'viem'
import { useConfig, useConnection } from 'wagmi'
import { intermediaryFactoryAbi, intermediaryFactoryV2Abi } from '@/contracts/generated'
import {
  type OpenChannelErrors,
  type OpenChannelInput,
  type PricingMode,
  validateOpenChannel,
} from '@/lib/admin/openChannel'
import { formatWei } from '@/lib/explorer/format'
import type { KnownService } from '@/lib/services/api'
import { useWalletChain } from '../wallet/WalletProvider'
import { AmountInput } from './AmountInput'
import { DurationInput } from './DurationInput'
import { PriceTableInput } from './PriceTableInput'
import { saveCategoryNames } from './saveCategoryNames'
import { TxProgress } from './TxProgress'
import { useTxFlow } from './useTxFlow'

const OTHER = '__other'

const initialInput: OpenChannelInput = {
  provider: '',
  mode: 'single',
  price: { text: '', unit: 'gwei' },
  categories: [
    { name: 'small', price: { text: '', unit: 'gwei' } },
    { name: 'large', price: { text: '', unit: 'gwei' } },
  ],
  deposit: { text: '', unit: 'ETH' },
  redemptionTimeout: { text: '10', unit: 'minutes' },
  terminationTimeout: { text: '1', unit: 'hours' },
}

/**
 * Opens a channel through the factory with the connected account as consumer: a single price
 * (version 1, IntermediaryFactory) or a price table of named categories (version 2,
 * IntermediaryFactoryV2, offered when the dashboard knows one). The form checks every field with
 * the factory's rules before anything is sent, shows amounts in exact wei, then follows the
 * transaction until the indexer has the new channel and opens its page.
 */
export function OpenChannelForm({ services }: { services: KnownService[] }) {
  const chain = useWalletChain()
  const { address: account, chainId } = useConnection()
  const router = useRouter()
  const flow = useTxFlow()
  const [input, setInput] = useState<OpenChannelInput>(initialInput)
  const [choice, setChoice] = useState('')
  const [errors, setErrors] = useState<OpenChannelErrors>({})
  const [opened, setOpened] = useState<Address | null>(null)
  const config = useConfig()
  // A v2 channel's names are recorded (wallet-signed, off chain) before its page opens.
  const [naming, setNaming] = useState<{ busy: boolean; problem: string | null }>({
    busy: false,
    problem: null,
  })
  const set = <K extends keyof OpenChannelInput>(key: K, value: OpenChannelInput[K]) => {
    setInput((i) => ({ ...i, [key]: value }))
    setErrors((e) => ({ ...e, [key]: undefined }))
  }
  const chosen = services.find((s) => s.address === input.provider.toLowerCase())
  useEffect(() => {
    if (flow.step === 'indexed' && opened && !naming.busy && !naming.problem)
      router.push(`/channels/${opened}`)
  }, [flow.step, opened, router, naming])

  if (!chain)
    return (
      <p className="notice">The dashboard cannot reach the chain node, so no channel can be opened now.</p>
    )
  if (!chain.factory) {
    return (
      <p className="notice">
        No channel factory is known on {chain.name}: deploy one first (npm start does).
      </p>
    )
  }
  const factory = chain.factory
  const factoryV2 = chain.factoryV2
  const walletChainId = chain.id
  const mode: PricingMode = input.mode === 'table' && factoryV2 ? 'table' : 'single'

  function submit(event: React.FormEvent) {
    event.preventDefault()
    const checked = validateOpenChannel({ ...input, mode }, { consumer: account })
    if (!checked.ok) {
      setErrors(checked.errors)
      return
    }
    setErrors({})
    const v = checked.value
    const timeouts = [v.redemptionTimeout, v.terminationTimeout] as const
    // Both factories emit ChannelOpened with the channel first; only the price argument differs.
    const abi = 'prices' in v ? intermediaryFactoryV2Abi : intermediaryFactoryAbi
    void flow.run(
      'prices' in v && factoryV2
        ? {
            address: factoryV2,
            abi,
            functionName: 'open',
            args: [v.provider, v.prices, ...timeouts],
            value: v.deposit,
          }
        : {
            address: factory,
            abi,
            functionName: 'open',
            args: [v.provider, 'costPerRequest' in v ? v.costPerRequest : 0n, ...timeouts],
            value: v.deposit,
          },
      {
        onMined: (receipt) => {
          const [log] = parseEventLogs({ abi, eventName: 'ChannelOpened', logs: receipt.logs })
          if (!log) return
          const channel = log.args.channel.toLowerCase() as Address
          setOpened(channel)
          if (!('names' in v)) return
          setNaming({ busy: true, problem: null })
          void saveCategoryNames({ config, chainId: walletChainId, channel, names: v.names }).then(
            (problem) => setNaming({ busy: false, problem }),
          )
        },
      },
    )
  }

  const notConnected = !account
  const wrongChain = account && chainId !== chain.id
  return (
    <form className="card open-form" onSubmit={submit} noValidate data-testid="open-form">
      <div className="field">
        <label htmlFor="open-provider-select">Provider</label>
        <select
          id="open-provider-select"
          value={choice}
          onChange={(e) => {
            setChoice(e.target.value)
            if (e.target.value !== OTHER) set('provider', e.target.value)
            else set('provider', '')
          }}
          data-testid="open-provider-select"
        >
          <option value="">Choose a service…</option>
          {services.map((s) => (
            <option key={s.address} value={s.address}>
              {s.name} ({s.team}) · {s.address.slice(0, 8)}…{s.address.slice(-4)}
            </option>
          ))}
          <option value={OTHER}>Another address…</option>
        </select>
        {choice === OTHER && (
          <input
            aria-label="Provider address"
            placeholder="0x…"
            autoComplete="off"
            spellCheck={false}
            value={input.provider}
            onChange={(e) => set('provider', e.target.value)}
            data-testid="open-provider-address"
          />
        )}
        {errors.provider && (
          <p className="field-error" data-testid="open-provider-error">
            {errors.provider}
          </p>
        )}
        {chosen?.price && (
          <p className="field-note">
            {chosen.name}'s Payment Server accepts at least {formatWei(chosen.price)} per request.
          </p>
        )}
      </div>
      <fieldset className="field radio-row" data-testid="open-mode">
        <legend>Pricing</legend>
        <label>
          <input
            type="radio"
            name="open-mode"
            checked={mode === 'single'}
            onChange={() => set('mode', 'single')}
            data-testid="open-mode-single"
          />{' '}
          One price per request
        </label>
        <label>
          <input
            type="radio"
            name="open-mode"
            checked={mode === 'table'}
            disabled={!factoryV2}
            onChange={() => set('mode', 'table')}
            data-testid="open-mode-table"
          />{' '}
          Price table (version 2)
        </label>
        {!factoryV2 && (
          <p className="field-note">
            No version 2 factory is known on {chain.name}, so channels here have one price.
          </p>
        )}
      </fieldset>
      {mode === 'single' ? (
        <AmountInput
          id="open-price"
          label="Price per request"
          value={input.price}
          onChange={(v) => set('price', v)}
          error={errors.price}
          testId="open-price"
        />
      ) : (
        <PriceTableInput
          rows={input.categories ?? []}
          onChange={(rows) => {
            setInput((i) => ({ ...i, categories: rows }))
            setErrors((e) => ({ ...e, categories: undefined, categoryRows: undefined }))
          }}
          error={errors.categories}
          rowErrors={errors.categoryRows}
        />
      )}
      <AmountInput
        id="open-deposit"
        label="First deposit"
        value={input.deposit}
        onChange={(v) => set('deposit', v)}
        error={errors.deposit}
        testId="open-deposit"
      />
      <DurationInput
        id="open-redemption"
        label="Redemption timeout"
        value={input.redemptionTimeout}
        onChange={(v) => set('redemptionTimeout', v)}
        error={errors.redemptionTimeout}
        testId="open-redemption"
        hint="How long the provider waits between starting and completing a redemption."
      />
      <DurationInput
        id="open-termination"
        label="Termination timeout"
        value={input.terminationTimeout}
        onChange={(v) => set('terminationTimeout', v)}
        error={errors.terminationTimeout}
        testId="open-termination"
        hint="How long you wait after announcing termination; at least three redemption timeouts."
      />
      <div className="form-actions">
        <button
          type="submit"
          className="button"
          disabled={notConnected || !!wrongChain || flow.running}
          data-testid="open-submit"
        >
          {flow.running ? 'Working…' : 'Open channel'}
        </button>
        {notConnected && (
          <span className="muted small">
            Connect a wallet (top right) to open a channel: you will be its consumer.
          </span>
        )}
        {wrongChain && (
          <span className="field-error">Your wallet is on another chain: switch to {chain.name} first.</span>
        )}
      </div>
      <TxProgress flow={flow} />
      {naming.busy && (
        <p className="small" data-testid="open-naming">
          Sign the categories' names in your wallet: they are kept on this dashboard, not on chain.
        </p>
      )}
      {naming.problem && (
        <p className="field-error" data-testid="open-naming-error">
          The channel is open, but its category names were not recorded: {naming.problem}
        </p>
      )}
      {opened && (
        <p className="small" data-testid="open-result">
          Channel <a href={`/channels/${opened}`}>{opened}</a> opened
          {flow.step === 'indexed'
            ? '; opening its page…'
            : '; waiting for the indexer before opening its page.'}
        </p>
      )}
    </form>
  )
}
