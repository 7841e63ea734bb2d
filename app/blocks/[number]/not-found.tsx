import { NotFoundState } from '@/components/NotFoundState'

export default function NotFound() {
  return (
    <NotFoundState
      title="There is no such block."
      text="Its number may be beyond the chain head, or the chain was reset since the link was made."
    />
  )
}
