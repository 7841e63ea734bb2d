import { Amount } from '@/components/Amount'

/**
 * The finality marker of a settled amount: "final" when every redemption in it is deeper than
 * the finality depth, else how much could still be undone by a reorg.
 */
export function Settlement({ settled, unconfirmed }: { settled: string; unconfirmed: string }) {
  if (BigInt(settled) === 0n) return <span className="muted">nothing settled</span>
  if (BigInt(unconfirmed) === 0n) {
    return (
      <span className="final" data-testid="finality" data-final="true">
        ✓ settled on chain, final
      </span>
    )
  }
  return (
    <span
      className="not-final"
      data-testid="finality"
      data-final="false"
      title="Redeemed in blocks newer than the finality depth"
    >
      on chain; <Amount wei={unconfirmed} /> not final yet
    </span>
  )
}
