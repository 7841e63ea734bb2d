import { NotFoundState } from '@/components/NotFoundState'

export default function NotFound() {
  return (
    <NotFoundState
      title="There is no page at this address."
      text="The link may be mistyped or out of date."
    />
  )
}
