import { type StackStatus, writeStackStatus } from '../lib/server/system/stackStatus'
import type { ChildReport } from './restarts'

/** The stack's side of STACK_STATUS_FILE: the parts only it sees, and its phase. */
export type StackStatusWriter = {
  file: string
  /** Sets one part's state (`example network`: not yet serving, serving, exited) and writes. */
  part(name: string, ready: boolean, state: string): Promise<void>
  /** Sets what a kept child reports (restarts, last exit, up since) and writes. */
  child(name: string, report: ChildReport): Promise<void>
  phase(phase: StackStatus['phase']): Promise<void>
}

/**
 * Keeps the status `npm start` shows its web process (GET /api/readyz, /api/health) and writes it to `file`
 * on every change, one write after another. A failed write is logged by the caller's `onError`
 * and does not stop the start: readiness then lags, nothing else does.
 */
export function createStackStatus(file: string, onError: (error: unknown) => void): StackStatusWriter {
  const children: Record<string, ChildReport> = {}
  const status: StackStatus = { pid: process.pid, phase: 'starting', parts: {}, children, updatedAt: '' }
  let writing = Promise.resolve()
  const write = () => {
    const snapshot = {
      ...status,
      parts: { ...status.parts },
      children: { ...children },
      updatedAt: new Date().toISOString(),
    }
    writing = writing.then(() => writeStackStatus(file, snapshot)).catch(onError)
    return writing
  }
  return {
    file,
    part(name, ready, state) {
      status.parts[name] = { ready, state }
      return write()
    },
    child(name, report) {
      children[name] = report
      return write()
    },
    phase(phase) {
      status.phase = phase
      return write()
    },
  }
}
