import { OverheadTable } from '@/components/costs/OverheadTable'
import { Section } from '@/components/Section'
import { formatRatio } from '@/lib/costs/overhead'
import type { WindowQuery } from '@/lib/costs/window'
import { isAppError } from '@/lib/errors'
import { shortAddress } from '@/lib/explorer/format'
import { serverContext } from '@/lib/server/context'
import { serviceOverhead } from '@/lib/server/costs'

/**
 * On a service's page: the gas its own transactions to its channels cost it in the window, per
 * action, against the value its channels settled, and the gas of each of its channels (both
 * parties' and anyone else's). A read that fails says so in one line; the page around it still
 * shows its own figures. Only this service's rows are read (the network's are not summed to
 * keep one service).
 */
export async function ServiceOverhead({ address, query }: { address: string; query: WindowQuery }) {
  let share: Awaited<ReturnType<typeof serviceOverhead>>
  try {
    share = await serviceOverhead(serverContext(), address, query)
  } catch (error) {
    if (!isAppError(error)) throw error
    return (
      <Section title="What its payments cost in gas" testId="service-overhead">
        <p className="muted small">The gas cannot be read now: {error.message}</p>
      </Section>
    )
  }
  const { service, channels } = share
  return (
    <Section
      title="What its payments cost in gas"
      testId="service-overhead"
      aside={service ? `overhead ${formatRatio(service.ratio)}` : 'no gas paid in this window'}
    >
      {service && (
        <OverheadTable
          testId="service-overhead-paid"
          first="Paid by"
          rows={[{ key: address, label: service.name ?? shortAddress(address), figures: service }]}
        />
      )}
      {channels.length > 0 && (
        <>
          <p className="muted small">Its channels' gas, whoever paid it:</p>
          <OverheadTable
            testId="service-overhead-channels"
            first="Channel"
            rows={channels.map((c) => ({
              key: c.address,
              label: (
                <a href={`/channels/${c.address}`} className="mono">
                  {shortAddress(c.address)}
                </a>
              ),
              figures: c,
            }))}
          />
        </>
      )}
    </Section>
  )
}
