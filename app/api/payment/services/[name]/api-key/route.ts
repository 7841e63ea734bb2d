import { paymentHandlers } from '@/lib/server/payment/routes'

export const dynamic = 'force-dynamic'

export const { POST } = paymentHandlers('/api/payment/services/{name}/api-key')
