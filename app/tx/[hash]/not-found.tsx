import { NotFoundState } from '@/components/NotFoundState'

export default function NotFound() {
  return (
    <NotFoundState
      title="There is no transaction with this hash."
      text="Neither the index nor the chain node knows it: it may not have been sent yet, or the chain was reset."
    />
  )
}
