import { paymentHandlers } from '@/lib/server/payment/routes'

export const dynamic = 'force-dynamic'

export const { GET, POST } = paymentHandlers('/api/payment/services')
