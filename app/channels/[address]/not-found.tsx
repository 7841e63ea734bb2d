import { NotFoundState } from '@/components/NotFoundState'

export default function NotFound() {
  return (
    <NotFoundState
      title="There is no channel at this address."
      text="The factory has not opened a channel there, or the indexer has not seen it yet."
    />
  )
}
