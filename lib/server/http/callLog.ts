import { randomUUID } from 'node:crypto'
import { errorText } from '../../errorText'
import { env } from '../env'
import { createLogger, type LogFields, type Logger } from '../log'
import type { HeaderSource } from './auth'

/*
 * The log lines of the API calls: each call's request id, and the one line of a call that
 * failed, was refused or was slow, sampled per route and status.
 */

/** The header that carries a call's request id, both ways. */
export const REQUEST_ID_HEADER = 'x-request-id'

/** A request id a client or a proxy may choose: a short token of safe characters. */
const SAFE_REQUEST_ID = /^[\w.:-]{1,64}$/

/**
 * The call's request id: the `X-Request-Id` it came with when that is a short safe token (a
 * proxy's or a client's, so one id follows a call across services), else a new UUID. It is
 * answered in the same header and put on every log line of the call.
 */
export function requestIdOf(headers: HeaderSource): string {
  const given = headers.get(REQUEST_ID_HEADER)
  return given !== null && SAFE_REQUEST_ID.test(given) ? given : randomUUID()
}

const loggers = new Map<string, Logger>()
/** The logger of an API's calls (`[api]`, `[payment]`), made on first use. */
function apiLog(api: string): Logger {
  let log = loggers.get(api)
  if (!log) {
    log = createLogger({ level: env().LOG_LEVEL, component: api })
    loggers.set(api, log)
  }
  return log
}

/**
 * A sampler of log lines: per key (a route and status), at most `perSecond` lines a second;
 * gives how many were left out before a line it lets through, or null to leave this one out.
 * A flood of refusals or an outage's 503s then writes ten lines a second per route and
 * status, not one per call; the metrics count every call.
 *
 * @example
 * const sampled = lineSampler(10)
 * sampled('tokens.verify 401', performance.now()) // 0: write it; null: leave it out
 */
export function lineSampler(perSecond: number): (key: string, nowMs: number) => number | null {
  const keys = new Map<string, { second: number; lines: number; suppressed: number }>()
  return (key, nowMs) => {
    const second = Math.floor(nowMs / 1000)
    let s = keys.get(key)
    if (!s) {
      s = { second, lines: 0, suppressed: 0 }
      keys.set(key, s)
    }
    if (s.second !== second) {
      s.second = second
      s.lines = 0
    }
    if (s.lines >= perSecond) {
      s.suppressed++
      return null
    }
    s.lines++
    const suppressed = s.suppressed
    s.suppressed = 0
    return suppressed
  }
}

const sampled = lineSampler(10)

/**
 * The one line of an API call that failed (error, with its cause), was refused (a 4xx at
 * info level; a 5xx with a code, a known outage, as a warning) or was slow (a warning), with
 * its request id, route, status and ms (see runCall in ./route).
 */
export function logCall(
  api: string,
  name: string,
  call: { requestId?: string; status: number; ms: number; code?: string; failure: unknown },
): void {
  const { requestId, status, code, failure } = call
  const suppressed = sampled(`${api} ${name} ${status}`, performance.now())
  if (suppressed === null) return
  const fields: LogFields = { requestId, route: name, status, ms: Math.round(call.ms * 10) / 10 }
  if (suppressed > 0) fields.suppressed = suppressed
  const log = apiLog(api)
  if (failure !== undefined) log.error(`${name} failed: ${errorText(failure, { withName: true })}`, fields)
  else if (status >= 400) {
    const message = `${name} answered ${status}${code ? ` ${code}` : ''}`
    // A 5xx with a code is a known outage (the node or the database down): a warning.
    if (status >= 500) log.warn(message, fields)
    else log.info(message, fields)
  } else log.warn(`${name} took ${fields.ms} ms`, fields)
}
