import { Skeleton, TableSkeleton } from '@/components/Skeleton'

export default function Loading() {
  return (
    <>
      <Skeleton lines={8} />
      <TableSkeleton rows={4} />
    </>
  )
}
