import type { z } from 'zod'
import { AppError, BadRequestError } from '../../errors'
import type { HeaderSource } from './auth'

/** Largest request body any JSON route reads. */
export const MAX_BODY_BYTES = 64 * 1024

export const tooLarge = () =>
  new AppError({
    code: 'body_too_large',
    message: `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
    status: 413,
  })

/**
 * A call as a route reads it, whichever server received it (a web Request, or Node's request on
 * the Payment Server's fast path): its headers, and its body read at most once, limited to
 * MAX_BODY_BYTES (413 `body_too_large` beyond).
 */
export type Call = {
  headers: HeaderSource
  readBody(): Promise<string>
  /** The client's IP address as the server saw it (rate limits count by it); undefined if unknown. */
  readonly clientAddress?: string
}

/**
 * The header through which `npm start`'s web server (stack/web.ts) tells Next.js's routes the
 * client's address; it replaces any such header a client sends.
 */
export const CLIENT_ADDRESS_HEADER = 'x-channel-inspector-client'

/** A web Request as a {@link Call}. */
export function callOf(request: Request): Call {
  return {
    headers: request.headers,
    readBody: () => readLimited(request),
    clientAddress: request.headers.get(CLIENT_ADDRESS_HEADER) ?? undefined,
  }
}

/** Reads a JSON body of at most MAX_BODY_BYTES and checks it against `schema` (400/413 otherwise). */
export async function jsonBody<S extends z.ZodType>(call: Call, schema: S): Promise<z.output<S>> {
  const text = await call.readBody()
  let value: unknown
  try {
    value = text === '' ? {} : JSON.parse(text)
  } catch {
    throw new BadRequestError({ code: 'invalid_json', message: 'The request body is not valid JSON.' })
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    throw new BadRequestError({
      code: 'invalid_request',
      message: `The request body is not valid: ${issues.join('; ')}.`,
    })
  }
  return parsed.data
}

/** A web Request's body as text, at most MAX_BODY_BYTES (413 beyond, read no further). */
async function readLimited(request: Request): Promise<string> {
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) throw tooLarge()
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}
