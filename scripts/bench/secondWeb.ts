/**
 * A second web instance beside the bench stack's, as an operator scales the web role: `npm run
 * start:web`'s entry (stack/roles/web.ts) on the same database, node and secrets, without the
 * payment runner (the first instance runs it), on a port of its own.
 */
import { startNodeScript } from '../../stack/child'
import { freePort } from '../../stack/ports'
import { type BenchStack, cleanEnv, register } from './paymentProcesses'

export type SecondWeb = { url: string; pid: number | undefined; stop(): Promise<void> }

export async function startSecondWeb({
  root,
  stack,
}: {
  root: string
  stack: BenchStack
}): Promise<SecondWeb> {
  const port = await freePort()
  const lines: string[] = []
  const child = startNodeScript({
    name: 'second web instance',
    root,
    script: 'stack/roles/web.ts',
    env: cleanEnv({
      DATABASE_URL: stack.databaseUrl,
      RPC_URL: stack.rpcUrl,
      PAYMENT_ADMIN_KEY: stack.adminKey,
      PAYMENT_KEYSTORE_SECRET: stack.keystoreSecret,
      HOST: '127.0.0.1',
      PORT: String(port),
      PAYMENT_RUNNER: 'off',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    }),
    onLine: (line) => lines.push(line),
  })
  const stop = register(child, 15_000)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) break
    const ready = await fetch(`${url}/api/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => null)
    if (ready?.ok) return { url, pid: child.process.pid, stop }
    await new Promise((r) => setTimeout(r, 250))
  }
  await stop()
  throw new Error(`the second web instance did not get ready: ${lines.slice(-20).join('\n')}`)
}
