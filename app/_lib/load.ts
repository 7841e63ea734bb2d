import { notFound } from 'next/navigation'
import { connection } from 'next/server'
import { type AppError, isAppError } from '@/lib/errors'
import { type ServerContext, serverContext } from '@/lib/server/context'

export type Loaded<T> = { ok: true; value: T } | { ok: false; error: AppError }

/**
 * Runs one explorer read for a page at request time. A 404 becomes the segment's not-found
 * page; other AppErrors (bad input, node or database down) come back for the page to say in
 * words (an error boundary would only get a digest in production); anything else throws.
 * @example const block = await load((ctx) => getBlock(ctx, number))
 */
export async function load<T>(read: (ctx: ServerContext) => Promise<T>): Promise<Loaded<T>> {
  await connection()
  try {
    return { ok: true, value: await read(serverContext()) }
  } catch (error) {
    if (!isAppError(error)) throw error
    if (error.status === 404) notFound()
    return { ok: false, error }
  }
}
