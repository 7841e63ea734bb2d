import type { Labels, Revert } from '@/lib/explorer/api'
import { DecodedArgs } from './DecodedArgs'
import { RawToggle } from './RawToggle'

/** Why a transaction reverted: the error's name, the sentence that explains it, its arguments. */
export function RevertBox({ revert, labels }: { revert: Revert; labels: Labels }) {
  return (
    <div className="box box-bad" data-testid="tx-revert">
      <p className="box-title">
        Reverted
        {revert.name && (
          <>
            {': '}
            <span className="mono" data-testid="tx-revert-name">
              {revert.name}
            </span>
          </>
        )}
      </p>
      <p data-testid="tx-revert-message">{revert.message}</p>
      {revert.args.length > 0 && <DecodedArgs args={revert.args} labels={labels} testId="tx-revert-args" />}
      {revert.data && revert.data !== '0x' && <RawToggle summary="Raw revert data" value={revert.data} />}
    </div>
  )
}
