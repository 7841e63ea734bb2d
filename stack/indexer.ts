import path from 'node:path'
import { type Child, spawnChild } from './child'

/** Starts the indexer process (`indexer/main.ts`) with the stack's database and chain. */
export function startIndexer({
  root,
  env,
  onLine,
}: {
  root: string
  env: NodeJS.ProcessEnv
  onLine: (line: string) => void
}): Child {
  return spawnChild({
    name: 'indexer',
    command: process.execPath,
    // `node --import tsx`, not the tsx CLI: the CLI relays signals late and may kill the child.
    args: ['--import', 'tsx', path.join(root, 'indexer', 'main.ts')],
    cwd: root,
    env,
    onLine,
  })
}
