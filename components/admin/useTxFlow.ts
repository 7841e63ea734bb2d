'use client'

import { useRouter } from 'next/navigation'
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Abi, Address, Hex, TransactionReceipt } from 'viem'
import { useConfig } from 'wagmi'
import {
  getConnection,
  getPublicClient,
  simulateContract,
  waitForTransactionReceipt,
  writeContract,
} from 'wagmi/actions'
import { describeWalletError } from '@/lib/admin/walletErrors'
import { useWalletChain } from '../wallet/WalletProvider'

/** Where a transaction is: checked by simulation, signed, submitted, mined, then indexed. */
export type TxStep = 'idle' | 'simulating' | 'signing' | 'submitted' | 'mined' | 'indexed'

export type TxFlowState = {
  step: TxStep
  hash: Hex | null
  blockNumber: bigint | null
  /** What went wrong, in words; the step it went wrong at stays in `step`. */
  error: string | null
  /** Set while the mined transaction is not indexed yet after a while. */
  note: string | null
}

export type ContractCall = {
  address: Address
  abi: Abi
  functionName: string
  args?: readonly unknown[]
  value?: bigint
}

const idle: TxFlowState = { step: 'idle', hash: null, blockNumber: null, error: null, note: null }
const INDEX_POLL_MS = 1_000
const INDEX_PATIENCE_MS = 60_000

/**
 * Runs one contract call from the connected wallet and reports its progress: simulate first
 * (a failure is the contract's reason in words and nothing is sent), wait for the signature,
 * submitted (hash), mined (receipt; a revert is decoded by replaying the call), then indexed
 * (the dashboard's own API serves it from the index), after which the server-rendered page is
 * refreshed so the timeline shows it. The form that calls it keeps its inputs either way.
 * @example const flow = useTxFlow(); flow.run({ address, abi, functionName: 'deposit', value })
 */
export function useTxFlow() {
  const config = useConfig()
  const chain = useWalletChain()
  const router = useRouter()
  const [state, setState] = useState<TxFlowState>(idle)
  const busy = useRef(false)
  // Polling for the indexer stops when the form goes away (navigation), not only when it is done.
  const mounted = useRef(true)
  useEffect(() => {
    mounted.current = true
    return () => {
      mounted.current = false
    }
  }, [])

  const run = useCallback(
    async (call: ContractCall, options: { onMined?: (receipt: TransactionReceipt) => void } = {}) => {
      if (busy.current) return
      busy.current = true
      const set = (patch: Partial<TxFlowState>) => setState((s) => ({ ...s, ...patch }))
      setState({ ...idle, step: 'simulating' })
      try {
        const connection = getConnection(config)
        if (!connection.address) return set({ error: 'Connect your wallet first.' })
        if (chain && connection.chainId !== chain.id) {
          return set({
            error: `Your wallet is on chain ${connection.chainId}: switch to ${chain.name} first.`,
          })
        }
        const request = { ...call, account: connection.address, chainId: chain?.id } as never
        let prepared: unknown
        try {
          prepared = (await simulateContract(config, request)).request
        } catch (error) {
          return set({ error: describeWalletError(error) })
        }
        set({ step: 'signing' })
        let hash: Hex
        try {
          hash = await writeContract(config, prepared as never)
        } catch (error) {
          return set({ error: describeWalletError(error) })
        }
        set({ step: 'submitted', hash })
        const receipt = await waitForTransactionReceipt(config, {
          hash,
          chainId: chain?.id,
          pollingInterval: 500,
          timeout: 300_000,
        })
        if (receipt.status === 'reverted') {
          return set({
            blockNumber: receipt.blockNumber,
            error: await revertReason(call, connection.address, receipt),
          })
        }
        set({ step: 'mined', blockNumber: receipt.blockNumber })
        options.onMined?.(receipt)
        const started = Date.now()
        while (!(await isIndexed(hash))) {
          if (!mounted.current) return
          if (Date.now() - started > INDEX_PATIENCE_MS) {
            set({ note: 'Not indexed yet after a minute: the indexer may be behind (see its badge above).' })
          }
          await new Promise((resolve) => setTimeout(resolve, INDEX_POLL_MS))
        }
        set({ step: 'indexed', note: null })
        router.refresh()
      } catch (error) {
        set({ error: describeWalletError(error) })
      } finally {
        busy.current = false
      }

      async function revertReason(c: ContractCall, account: Address, receipt: TransactionReceipt) {
        try {
          await getPublicClient(config)?.simulateContract({
            ...c,
            account,
            blockNumber: receipt.blockNumber - 1n,
          } as never)
        } catch (error) {
          return `The transaction was mined but reverted: ${describeWalletError(error)}`
        }
        return 'The transaction was mined but reverted.'
      }
    },
    [config, chain, router],
  )

  const reset = useCallback(() => setState(idle), [])
  return { ...state, run, reset, running: state.step !== 'idle' && state.step !== 'indexed' && !state.error }
}

/** True once the dashboard's API serves the transaction from the index (not from the node). */
async function isIndexed(hash: Hex): Promise<boolean> {
  try {
    const response = await fetch(`/api/tx/${hash}`, { cache: 'no-store' })
    if (!response.ok) return false
    const body = (await response.json()) as { transaction?: { source?: string } }
    return body.transaction?.source === 'index'
  } catch {
    return false
  }
}
