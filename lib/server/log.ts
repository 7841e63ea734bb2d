import { redactUrls } from '../errorText'
import type { Env } from './env'

const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const
type Level = keyof typeof levels

export type Logger = {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
  child(component: string): Logger
}

/** A line logger with a component prefix; children's output goes through `line()`. */
export function createLogger({
  level,
  component = 'stack',
}: {
  level: Env['LOG_LEVEL']
  component?: string
}): Logger {
  const min = levels[level]
  const write = (at: Level, message: string) => {
    if (levels[at] < min) return
    const out = at === 'error' || at === 'warn' ? process.stderr : process.stdout
    // Every line is redacted here, whoever wrote it (a child's output too): a URL may carry a key.
    out.write(`[${component}] ${at === 'info' ? '' : `${at}: `}${redactUrls(message)}\n`)
  }
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
    child: (name) => createLogger({ level, component: name }),
  }
}

/**
 * The level a child's line states itself: `[component] error: ...` as createLogger (and
 * runCall's 500s) write it, or Next.js's own `⨯` (error) and `⚠` (warn) prefixes.
 */
const MARKED = /^\[[\w.-]+\] (debug|warn|error): |^\s*(⨯)|^\s*(⚠)/

/**
 * Routes a child's output line: at the level the line states (see MARKED), else errors and
 * warnings by their words, and the rest only at debug level. A marker wins over words: a
 * route's 500 (`[api] error: getBlock failed: PrismaClientUnknownRequestError: ...`) names
 * no "error" as a word of its own, and a warning may quote one.
 */
export function childLine(log: Logger): (line: string) => void {
  return (line) => {
    if (!line.trim()) return
    // Postgres reports closing idle connections at shutdown as FATAL; that is expected.
    if (line.includes('terminating connection due to administrator command')) return log.debug(line)
    const marked = MARKED.exec(line)
    if (marked) {
      const level = marked[1] ?? (marked[2] ? 'error' : 'warn')
      return log[level as 'debug' | 'warn' | 'error'](line)
    }
    if (/\b(error|fatal|panic)\b/i.test(line)) log.error(line)
    else if (/\bwarn(ing)?\b/i.test(line)) log.warn(line)
    else log.debug(line)
  }
}
