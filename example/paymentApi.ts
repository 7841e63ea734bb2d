/** One call to the Payment Server's API as a service (or the admin): the status and the JSON answer. */
export type PaymentApi = <T>(
  path: string,
  key: string,
  body?: unknown,
  method?: 'GET' | 'POST' | 'PATCH',
) => Promise<{ status: number; body: T }>

/**
 * The example's client of the Payment Server's management calls (`/api/payment/...`: services,
 * channels, prices), with a Bearer key; a body makes it a POST unless `method` says otherwise.
 * The services' paid calls go through the client library instead (./services.ts).
 */
export function paymentApi(paymentUrl: string): PaymentApi {
  return async (path, key, body, method) => {
    const response = await fetch(`${paymentUrl}/api/payment${path}`, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: response.status, body: (await response.json()) as never }
  }
}

/** A channel as `GET /api/payment/channels` lists it: the fields the example reads. */
export type ListedChannel = {
  address: string
  consumer: { address: string; service: string | null }
  provider: { address: string; service: string | null }
  chain: { phase: 'open' | 'redeeming' | 'terminating' | 'terminated' }
  v2: {
    categories: string[]
    prices: string[] | null
    pendingPrices: string[] | null
    accepted: Array<{ tokenId: string; requests: string[] }>
  } | null
}

/** The channels of the service with `key` (as consumer or provider). */
export async function listChannels(api: PaymentApi, key: string): Promise<ListedChannel[]> {
  const listed = await api<{ channels: ListedChannel[]; error?: { message: string } }>('/channels', key)
  if (listed.status !== 200)
    throw new Error(`listing the channels failed (${listed.status}): ${listed.body.error?.message}`)
  return listed.body.channels
}
