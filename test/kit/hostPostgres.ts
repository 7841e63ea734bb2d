/**
 * A Postgres host for the multi-host tests: run inside a host's namespace (`ip netns exec`),
 * starts the embedded Postgres listening on the host's address for the test network's clients,
 * prints `ready <url>` (its TCP URL, password included: a test's throwaway cluster) and stops
 * it on SIGTERM.
 *
 * Usage: node --import tsx test/kit/hostPostgres.ts <dir> <port> <address> <clients CIDR>
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { startEmbeddedPostgres } from '../../stack/postgres'

const [dir, port, address, clients] = process.argv.slice(2) as [string, string, string, string]
const database = await startEmbeddedPostgres({
  dir,
  port: Number(port),
  host: address,
  allowClients: clients,
  onLog: (line) => process.stderr.write(`${line}\n`),
})
const { user, password } = JSON.parse(await readFile(path.join(dir, 'credentials.json'), 'utf8')) as {
  user: string
  password: string
}
process.stdout.write(`ready postgresql://${user}:${encodeURIComponent(password)}@${address}:${port}/app\n`)
const stop = () => void database.stop().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
