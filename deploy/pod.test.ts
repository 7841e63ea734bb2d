/**
 * The roles as the image and the Kubernetes demo overlay run them, short of a container
 * engine: each process starts through deploy/docker/entrypoint.sh as uid 10001, in a mount
 * namespace where the repository (the image's /app) is read-only and only /tmp and
 * .next/cache are writable (the manifests' emptyDirs), with the demo overlay's environment
 * and its secrets as files; then it must answer the probes the manifests declare. Skipped with
 * the reason where mount namespaces are refused (not root).
 */
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Child, spawnChild } from '../stack/child'
import { freePort } from '../stack/ports'
import { createTestDatabase, type TestDatabase } from '../test/kit/database'
import { configValues, containersOf, k8sDir } from './kubernetesChecks'
import { type K8sObject, renderKustomization } from './kustomize'
import { imageEnv, ROOT, startDemoChain } from './testing'

/** What the image's runtime looks like, set up in a private mount namespace, then the entry script as uid 10001. */
const POD = `set -eu
mount --bind -o ro "$APP_DIR" "$APP_DIR"
if [ -n "\${NEXT_COPY:-}" ]; then
  mount --bind -o ro "$NEXT_COPY" "$APP_DIR/.next"
  mount -t tmpfs -o uid=10001,gid=10001,mode=0700 tmpfs "$APP_DIR/.next/cache"
fi
exec setpriv --reuid=10001 --regid=10001 --clear-groups sh "$APP_DIR/deploy/docker/entrypoint.sh" "$@"`

const refused = (() => {
  const probe = spawnSync('unshare', [
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    // ...and uid 10001 can reach the checkout and node (not so under a 0700 /root, say).
    `mount --bind -o ro "${ROOT}" "${ROOT}" && setpriv --reuid=10001 --regid=10001 --clear-groups sh -c 'cd "$1" && node -e 0' _ "${ROOT}"`,
  ])
  return probe.status === 0
    ? null
    : `mount namespaces are refused here, or uid 10001 cannot run node in this checkout (${probe.stderr.toString().trim() || probe.error})`
})()

/** Whether the dynamic linker knows `name` (e.g. libsecp256k1.so.1). */
const hasLibrary = (name: string) =>
  spawnSync('sh', ['-c', 'ldconfig -p 2>/dev/null || /sbin/ldconfig -p'], {
    encoding: 'utf8',
  }).stdout.includes(`${name} `)

const demo = renderKustomization(path.join(k8sDir, 'overlays/demo'))
const deployment = (name: string) =>
  demo.find((o) => o.kind === 'Deployment' && o.metadata.name === name) as K8sObject
const probePaths = (name: string) => {
  const c = containersOf(deployment(name))[0]
  return [c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path] as string[]
}

describe.skipIf(refused !== null)(
  `the roles in a pod's shape${refused ? ` (skipped: ${refused})` : ''}`,
  // Four Node processes compiling their sources on a busy machine: more than the default minute.
  { timeout: 180_000 },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pod-'))
    const running: { child: Child; output: string[] }[] = []
    let databaseUrl: string
    let database: TestDatabase
    let chain: Awaited<ReturnType<typeof startDemoChain>>
    let nextCopy: string | undefined

    /** Starts `role` as `workload`'s pod would; its output is kept for a failure's message. */
    function start(
      role: string,
      workload: { kind: string; name: string },
      extra: Record<string, string> = {},
    ) {
      const output: string[] = []
      const child = spawnChild({
        name: role,
        command: 'unshare',
        args: ['--mount', '--propagation', 'private', 'sh', '-c', POD, 'pod', role],
        cwd: dir,
        env: { ...podEnv(workload), ...extra, NODE_ENV: 'production' },
        onLine: (line) => output.push(line),
      })
      running.push({ child, output })
      return { child, output }
    }

    async function answers(url: string, started: { child: Child; output: string[] }): Promise<number> {
      for (;;) {
        if (started.child.process.exitCode !== null) {
          throw new Error(
            `${started.child.name} exited ${started.child.process.exitCode}: ${started.output.join('\n')}`,
          )
        }
        const res = await fetch(url, { signal: AbortSignal.timeout(4_000) }).catch(() => null)
        if (res?.ok) return res.status
        await new Promise((r) => setTimeout(r, 250))
      }
    }

    beforeAll(async () => {
      ;[database, chain] = await Promise.all([createTestDatabase({ migrated: false }), startDemoChain()])
      chmodSync(dir, 0o755)
      // Over TCP, as from a pod: the test Postgres's Unix socket is in a folder only root enters.
      const url = new URL(database.url)
      url.searchParams.delete('host')
      databaseUrl = url.toString()
    })

    /**
     * The demo overlay's environment of `workload`'s container, with its secrets as files
     * (readable by uid 10001, as the pods' fsGroup makes them) pointed at this run's database
     * and chain, and the image's own settings (its Dockerfile ENV: production, JSON logs,
     * Debian's libsecp256k1 by name, which this machine has too) on this machine's loopback.
     */
    function podEnv(workload: { kind: string; name: string }): Record<string, string> {
      const values = configValues(demo, dir, {}, workload)
      const secret = (name: string) => path.join(dir, name)
      writeFileSync(secret('database-url'), databaseUrl)
      writeFileSync(secret('rpc-url'), chain.url)
      const { PATH: _imagePath, ...image } = imageEnv()
      // The image names Debian's libsecp256k1; a machine without that library (.ci/run may
      // find only another) runs the roles on the addon's bundled copy instead.
      if (!hasLibrary(image.SECP256K1_LIBRARY as string)) delete image.SECP256K1_LIBRARY
      return {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        APP_DIR: ROOT,
        ...image,
        ...values,
        HOST: '127.0.0.1',
        INDEXER_HOST: '127.0.0.1',
        RUNNER_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      }
    }

    beforeAll(() => {
      // The web role serves the build in .next, when one is there: a private copy, so that a
      // build another test makes meanwhile cannot change it under the web process.
      const buildId = () => readFileSync(path.join(ROOT, '.next/BUILD_ID'), 'utf8')
      if (existsSync(path.join(ROOT, '.next/BUILD_ID'))) {
        const before = buildId()
        nextCopy = path.join(dir, 'next')
        cpSync(path.join(ROOT, '.next'), nextCopy, {
          recursive: true,
          filter: (source) => !source.startsWith(path.join(ROOT, '.next/cache')),
        })
        mkdirSync(path.join(nextCopy, 'cache'), { recursive: true })
        if (buildId() !== before || readFileSync(path.join(nextCopy, 'BUILD_ID'), 'utf8') !== before)
          nextCopy = undefined
      }
    })

    afterAll(async () => {
      await Promise.all(running.map(({ child }) => child.stop()))
      await chain?.anvil.stop()
      await database?.drop()
      rmSync(dir, { recursive: true, force: true })
    })

    it('migrate applies the migrations and exits 0', async () => {
      const migrate = start('migrate', { kind: 'Job', name: 'channel-inspector-migrate' })
      expect(await migrate.child.exited, migrate.output.join('\n')).toBe(0)
    })

    it.each([
      ['indexer', 'channel-inspector-indexer', 'INDEXER_PORT'],
      ['runner', 'channel-inspector-runner', 'RUNNER_PORT'],
    ])('%s answers its probes, read-only but for /tmp', async (role, name, portVariable) => {
      const port = await freePort()
      const started = start(
        role,
        { kind: 'Deployment', name },
        { [portVariable]: String(port), INSTANCE_ID: `${name}-0` },
      )
      for (const probe of probePaths(name)) {
        expect(await answers(`http://127.0.0.1:${port}${probe}`, started)).toBe(200)
      }
    })

    const built = existsSync(path.join(ROOT, '.next/BUILD_ID'))
    it.skipIf(!built)(
      `web answers its probes, read-only but for /tmp and .next/cache${built ? '' : ' (skipped: no web build in .next)'}`,
      async () => {
        expect(nextCopy, 'the build in .next changed while it was copied').toBeDefined()
        const port = await freePort()
        const started = start(
          'web',
          { kind: 'Deployment', name: 'channel-inspector-web' },
          { PORT: String(port), NEXT_COPY: nextCopy as string },
        )
        for (const probe of probePaths('channel-inspector-web')) {
          expect(await answers(`http://127.0.0.1:${port}${probe}`, started)).toBe(200)
        }
      },
    )
  },
)
