import { paymentHandlers } from '@/lib/server/payment/routes'

export const dynamic = 'force-dynamic'

export const { POST } = paymentHandlers('/api/payment/channels/{address}/deposit')
