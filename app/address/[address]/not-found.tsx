import { NotFoundState } from '@/components/NotFoundState'

export default function NotFound() {
  return (
    <NotFoundState
      title="There is nothing to show for this address."
      text="It may be mistyped; an address is 0x and 40 hex digits."
    />
  )
}
