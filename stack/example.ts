import path from 'node:path'
import { type Child, spawnChild } from './child'

/** Starts the example network (`example/main.ts`) against the stack's Payment Server. */
export function startExample({
  root,
  env,
  onLine,
}: {
  root: string
  env: NodeJS.ProcessEnv
  onLine: (line: string) => void
}): Child {
  return spawnChild({
    name: 'example',
    command: process.execPath,
    args: ['--import', 'tsx', path.join(root, 'example', 'main.ts')],
    cwd: root,
    env,
    onLine,
  })
}
