import { expect } from 'vitest'
import { isAppError } from '../../lib/errors'

/**
 * The AppError message `promise` rejects with, after checking its status and code and that the
 * message is a sentence (ten characters or more, ending in a full stop). Anything else it
 * rejects with is rethrown, so the test fails on the real error.
 */
export async function expectError(promise: Promise<unknown>, status: number, code: string): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (!isAppError(error)) throw error
    expect({ status: error.status, code: error.code }).toEqual({ status, code })
    expect(error.message).toMatch(/^.{10,}\.$/s)
    return error.message
  }
  throw new Error(`expected a ${status} ${code}`)
}
