'use client'

import { RouteError } from '@/components/RouteError'

export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError error={error} retry={retry} what="this transaction" />
}
