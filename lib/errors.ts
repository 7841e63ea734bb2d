/**
 * Errors of the domain. Each has a stable machine-readable `code`, a short sentence for people,
 * an HTTP status for route handlers, whether retrying can help, and optional hints.
 * Route handlers answer `{ error: { code, message, hints? } }` (see {@link errorBody}).
 */
export type AppErrorParameters = {
  code: string
  message: string
  status?: number
  retryable?: boolean
  hints?: string[]
  cause?: unknown
}

/** Marks AppErrors across copies of this module (Next bundles each route with its own copy). */
const APP_ERROR = Symbol.for('channel-inspector.AppError')

/** True for an AppError from any copy of this module; use it instead of `instanceof AppError`. */
export function isAppError(error: unknown): error is AppError {
  return (
    error instanceof AppError ||
    (error instanceof Error && (error as { [APP_ERROR]?: boolean })[APP_ERROR] === true)
  )
}

export class AppError extends Error {
  override name = 'AppError'
  readonly [APP_ERROR] = true
  readonly code: string
  readonly status: number
  readonly retryable: boolean
  readonly hints: string[]

  constructor({ code, message, status = 500, retryable = false, hints = [], cause }: AppErrorParameters) {
    super(message, { cause })
    this.code = code
    this.status = status
    this.retryable = retryable
    this.hints = hints
  }
}

/** The request itself is wrong (400): fixing the input is the only remedy. */
export class BadRequestError extends AppError {
  override name = 'BadRequestError'
  constructor(p: Omit<AppErrorParameters, 'status' | 'retryable'>) {
    super({ ...p, status: 400, retryable: false })
  }
}

export class NotFoundError extends AppError {
  override name = 'NotFoundError'
  constructor(p: Omit<AppErrorParameters, 'status' | 'retryable'>) {
    super({ ...p, status: 404, retryable: false })
  }
}

/** No or an unknown credential (401). */
export class UnauthorizedError extends AppError {
  override name = 'UnauthorizedError'
  constructor(p: Omit<AppErrorParameters, 'status' | 'retryable'>) {
    super({ ...p, status: 401, retryable: false })
  }
}

/** The caller is known but may not do this (403). */
export class ForbiddenError extends AppError {
  override name = 'ForbiddenError'
  constructor(p: Omit<AppErrorParameters, 'status' | 'retryable'>) {
    super({ ...p, status: 403, retryable: false })
  }
}

/** A payment token was refused (402); `code` says why. */
export class PaymentRefusedError extends AppError {
  override name = 'PaymentRefusedError'
  constructor(p: Omit<AppErrorParameters, 'status' | 'retryable'>) {
    super({ ...p, status: 402, retryable: false })
  }
}

/** The request conflicts with the current state (409): it may succeed later or never. */
export class ConflictError extends AppError {
  override name = 'ConflictError'
  constructor(p: Omit<AppErrorParameters, 'status'>) {
    super({ ...p, status: 409 })
  }
}

/** A dependency (database, chain node) failed or timed out (503): retrying may help. */
export class DependencyError extends AppError {
  override name = 'DependencyError'
  constructor(p: Omit<AppErrorParameters, 'status' | 'retryable'>) {
    super({ ...p, status: 503, retryable: true })
  }
}

/** Too many calls (429): retry after `retryAfterSeconds` (the answer's `Retry-After` header). */
export class RateLimitedError extends AppError {
  override name = 'RateLimitedError'
  readonly retryAfterSeconds: number
  constructor(p: Omit<AppErrorParameters, 'status' | 'retryable'> & { retryAfterSeconds: number }) {
    super({ ...p, status: 429, retryable: true })
    this.retryAfterSeconds = p.retryAfterSeconds
  }
}

export type ErrorBody = { error: { code: string; message: string; hints?: string[] } }

/**
 * The JSON body for an error, and its headers (`Retry-After` of a 429); anything that is not
 * an AppError becomes a generic 500 without internals.
 */
export function errorBody(error: unknown): {
  status: number
  body: ErrorBody
  headers?: Record<string, string>
} {
  if (isAppError(error)) {
    const hints = error.hints.length > 0 ? { hints: error.hints } : {}
    const body = { error: { code: error.code, message: error.message, ...hints } }
    const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds
    return typeof retryAfter === 'number'
      ? { status: error.status, body, headers: { 'retry-after': String(retryAfter) } }
      : { status: error.status, body }
  }
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: 'Something went wrong on the server.' } },
  }
}

/** Rejects with a DependencyError when `promise` does not settle within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new DependencyError({ code: 'timeout', message: `${what} did not answer within ${ms} ms.` })),
      ms,
    )
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
