import Link from 'next/link'
import type { Labels } from '@/lib/explorer/api'
import { shortAddress } from '@/lib/explorer/format'

/**
 * An address as its label (service name and team chip) or shortened, linked to its page: a
 * channel to /channels/…, anything else to /address/…. The full address is in the title;
 * `full` shows it whole, followed by the label.
 * @example <AddressLink address={tx.from} labels={labels} />
 */
export function AddressLink({
  address,
  labels,
  full = false,
  testId,
}: {
  address: string | null
  labels?: Labels
  full?: boolean
  testId?: string
}) {
  if (!address) return <span data-testid={testId}>—</span>
  const label = labels?.[address.toLowerCase()]
  const href = label?.kind === 'channel' ? `/channels/${address}` : `/address/${address}`
  const text = full ? address : (label?.name ?? shortAddress(address))
  return (
    <span className="address" data-testid={testId} data-address={address}>
      <Link
        href={href}
        prefetch={false}
        title={label ? `${label.name}\n${address}` : address}
        className={label && !full ? '' : 'mono'}
      >
        {text}
      </Link>
      {full && label && <span className="address-name">{label.name}</span>}
      {label?.team && <span className="chip">{label.team}</span>}
    </span>
  )
}
