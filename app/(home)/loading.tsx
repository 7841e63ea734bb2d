import { Skeleton, TableSkeleton } from '@/components/Skeleton'

export default function Loading() {
  return (
    <>
      <Skeleton lines={1} />
      <TableSkeleton />
    </>
  )
}
