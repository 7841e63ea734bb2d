import { paymentHandlers } from '@/lib/server/payment/routes'

export const dynamic = 'force-dynamic'

export const { PATCH } = paymentHandlers('/api/payment/channels/{address}/prices')
