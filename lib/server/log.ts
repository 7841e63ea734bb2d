import { hostname } from 'node:os'
import { stripVTControlCharacters } from 'node:util'
import { pino } from 'pino'
import { prettyFactory } from 'pino-pretty'
import { redactUrls } from '../errorText'
import { type Env, envSchema } from './env'

type Level = 'debug' | 'info' | 'warn' | 'error'
const LEVELS: Record<Level, number> = { debug: 20, info: 30, warn: 40, error: 50 }

/** How lines are written: one JSON object per line, or the human text `[component] level: message`. */
export type LogFormat = 'json' | 'pretty'

/** Fields of a line beyond its message (a request id, a route, a status...). */
export type LogFields = Record<string, unknown>

/** A line as a process of the product writes it in JSON (see {@link childLine}). */
export type LogRecord = LogFields & { level: string; msg: string; name?: string }

export type Logger = {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  child(component: string): Logger
  /**
   * Writes a line another process of the product logged as JSON, in this logger's format: as
   * it is in JSON, as text in pretty. Absent on loggers that keep lines (tests' memoryLogger):
   * {@link childLine} then logs the line's text. `line` is the record as it was written: kept
   * byte for byte in JSON when it holds no URL (a number beyond 2^53 stays exact).
   */
  record?(record: LogRecord, line: string): void
}

/**
 * The format LOG_FORMAT names, else JSON unless stdout is a terminal: a container, a service
 * manager or a pipe gets lines a log collector parses, a person at a terminal gets text. A
 * wrong LOG_FORMAT counts as unset here; parseEnv() refuses it with the other variables.
 */
function logFormat(
  given: Env['LOG_FORMAT'] = envSchema.shape.LOG_FORMAT.safeParse(process.env.LOG_FORMAT).data,
): LogFormat {
  return given ?? (process.stdout.isTTY ? 'pretty' : 'json')
}

/**
 * A logger (pino underneath) whose lines name their component: JSON lines with time, level
 * as a word, pid, hostname, name (the component), the fields and msg; or, in pretty format,
 * the text `[component] level: message {fields}` (`info` says no level), coloured on a
 * terminal. Every line goes through redactUrls (an RPC or database URL may carry a key), its
 * message and every string of its fields, whoever wrote it. Writes are synchronous, through
 * process.stdout (JSON: every level, in order) or, in pretty format, stderr for warnings and
 * errors as before; so no line is lost at exit and lines keep their order.
 *
 * @example
 * const log = createLogger({ level: 'info', component: 'indexer' })
 * log.info('caught up', { block: 120 }) // {"level":"info","time":"…","pid":1,"hostname":"h","name":"indexer","block":120,"msg":"caught up"}
 */
export function createLogger({
  level,
  component = 'stack',
  format = logFormat(),
}: {
  level: Env['LOG_LEVEL']
  component?: string
  format?: LogFormat
}): Logger {
  const write = format === 'json' ? writeJson : writePretty()
  const root = pino(
    {
      level,
      base: { pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: (fields) => redactFields(fields) },
    },
    { write },
  )
  const make = (name: string): Logger => {
    const p = root.child({ name })
    const at =
      (l: Level) =>
      (message: string, fields?: LogFields): void => {
        const text = redactUrls(plain(message))
        if (fields) p[l](fields, text)
        else p[l](text)
      }
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: make,
      record: (r, line) => {
        if ((LEVELS[r.level as Level] ?? LEVELS.info) < LEVELS[level]) return
        // Redacted field by field when it holds a URL: redacting the JSON text could eat an escape.
        write(`${redactUrls(line) === line ? line : JSON.stringify(redactFields(r))}\n`)
      },
    }
  }
  return make(component)
}

const writeJson = (line: string) => {
  process.stdout.write(line)
}

/** Renders each JSON line as text with pino-pretty, in process (synchronous: lines stay in order). */
function writePretty(): (line: string) => void {
  const pretty = prettyFactory({
    colorize: process.stdout.isTTY === true,
    singleLine: true,
    errorLikeObjectKeys: [],
    ignore: 'time,pid,hostname,level,name',
    messageFormat: (r, key, _label, { colors }) => {
      const at = String(r.level)
      return `[${r.name}] ${at === 'info' ? '' : colors.bold(`${at}: `)}${r[key]}`
    },
  })
  return (line) => {
    const r = JSON.parse(line) as LogRecord
    const out = r.level === 'error' || r.level === 'warn' ? process.stderr : process.stdout
    out.write(pretty(r))
  }
}

/** A terminal's colour codes (a child's output quoted in a message) are noise in a log line. */
const plain = (text: string) => (text.includes('\u001b') ? stripVTControlCharacters(text) : text)

/** The fields with every URL in their strings redacted, at any depth (errors as their text). */
function redactFields<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactUrls(value) as T
  if (value === null || typeof value !== 'object' || depth > 4) return value
  if (value instanceof Error) return redactUrls(`${value.name}: ${value.message}`) as T
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1)) as T
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = redactFields(v, depth + 1)
  return out as T
}

/**
 * The level a child's line states itself: `[component] error: ...` as createLogger's text (and
 * runCall's 500s) write it, or Next.js's own `⨯` (error) and `⚠` (warn) prefixes.
 */
const MARKED = /^\[[\w.-]+\] (debug|warn|error): |^\s*(⨯)|^\s*(⚠)/

/** The line as a JSON line of one of the product's loggers, or null. */
function recordOf(line: string): LogRecord | null {
  if (!line.startsWith('{')) return null
  try {
    const r = JSON.parse(line) as Partial<LogRecord> | null
    return r && typeof r.msg === 'string' && typeof r.level === 'string' && r.level in LEVELS
      ? (r as LogRecord)
      : null
  } catch {
    return null
  }
}

/**
 * Routes a child's output line. A JSON line of the product's loggers keeps its level and
 * fields: written as it is in JSON format, as text in pretty ({@link Logger.record}). Any other
 * line at the level it states (see MARKED), else errors and warnings by their words, and the
 * rest only at debug level. A marker wins over words: a route's 500 (`[api] error: getBlock
 * failed: PrismaClientUnknownRequestError: ...`) names no "error" as a word of its own, and a
 * warning may quote one.
 */
export function childLine(log: Logger): (line: string) => void {
  return (line) => {
    if (!line.trim()) return
    const record = recordOf(line)
    if (record) {
      if (log.record) return log.record(record, line)
      const { level, msg, name } = record
      return log[level as Level](`[${name}] ${level === 'info' ? '' : `${level}: `}${msg}`)
    }
    // Postgres reports closing idle connections at shutdown as FATAL; that is expected.
    if (line.includes('terminating connection due to administrator command')) return log.debug(line)
    const marked = MARKED.exec(line)
    if (marked) {
      const level = marked[1] ?? (marked[2] ? 'error' : 'warn')
      return log[level as Level](line)
    }
    if (/\b(error|fatal|panic)\b/i.test(line)) log.error(line)
    else if (/\bwarn(ing)?\b/i.test(line)) log.warn(line)
    else log.debug(line)
  }
}
