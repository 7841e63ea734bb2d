import { readFile, rename, writeFile } from 'node:fs/promises'
import { z } from 'zod'
import { type ReadinessPart, stackChildSchema } from '../../system/api'

/**
 * What `npm start` tells its web process about the parts only it can see (the example network,
 * the processes it keeps running, its own phase), in a small JSON file in DATA_DIR whose path it
 * passes as STACK_STATUS_FILE. The web reads it for GET /api/readyz and /api/health; what the
 * web can see itself (database, node, indexer) it asks directly. One module holds the format:
 * the stack writes it, the web reads it.
 */
const stackStatusSchema = z.object({
  /** The `npm start` process: a file left by a run that is gone says nothing about this one. */
  pid: z.number().int(),
  phase: z.enum(['starting', 'running', 'stopping']),
  /** A part the stack started, by name (`example network`), with its state in words. */
  parts: z.record(z.string(), z.object({ ready: z.boolean(), state: z.string() })),
  /** The processes it restarts when they exit (indexer, web, anvil, postgres), by name. */
  children: z.record(z.string(), stackChildSchema.omit({ name: true })).optional(),
  updatedAt: z.string(),
})
export type StackStatus = z.infer<typeof stackStatusSchema>

/** Writes `status` whole (a reader never sees half a file: written aside, then renamed). */
export async function writeStackStatus(file: string, status: StackStatus): Promise<void> {
  const aside = `${file}.${process.pid}.tmp`
  await writeFile(aside, `${JSON.stringify(status, null, 2)}\n`)
  await rename(aside, file)
}

/** The stack's status, or null when the file is missing or not one the stack wrote. */
export async function readStackStatus(file: string): Promise<StackStatus | null> {
  try {
    return stackStatusSchema.parse(JSON.parse(await readFile(file, 'utf8')))
  } catch {
    return null
  }
}

/**
 * The stack's processes that keep crashing (5 exits within a minute), as readiness parts: the
 * stack keeps restarting them and serving what it can, and /api/readyz says what fails.
 * @example failingChildren(status) // [{ name: 'indexer process', ready: false, state: 'failing: ...' }]
 */
export function failingChildren(status: StackStatus): ReadinessPart[] {
  return Object.entries(status.children ?? {})
    .filter(([, child]) => child.state === 'failing')
    .map(([name, child]) => ({
      name: `${name} process`,
      ready: false,
      state: `failing: it exits again right after each start (${child.restarts} restarts${child.lastExit ? `, last exit ${exitText(child.lastExit)} at ${child.lastExit.at}` : ''}); the stack keeps restarting it with backoff`,
    }))
}

/** `code 1` or `signal SIGKILL`: how a process exited, in the words the stack's log uses. */
export function exitText({ code, signal }: { code: number | null; signal: string | null }): string {
  return signal ? `signal ${signal}` : `code ${code}`
}
