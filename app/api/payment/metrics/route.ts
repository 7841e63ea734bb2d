import { paymentHandlers } from '@/lib/server/payment/routes'

export const dynamic = 'force-dynamic'

export const { GET } = paymentHandlers('/api/payment/metrics')
