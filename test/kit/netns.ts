/**
 * Hosts on one machine for multi-host tests: each host is a Linux network namespace with an
 * address of its own on a private bridge (`ip netns`, veth pairs; root is needed), and the test
 * process, outside them, reaches every host through the bridge's address. A host can be cut off
 * the network (its link set down: its connections hang, as on a pulled cable, instead of being
 * refused) and reconnected; processes run inside a host with `ip netns exec`.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { type Child, spawnChild } from '../../stack/child'

const exec = promisify(execFile)

/**
 * Every namespace, bridge and link a test network makes is named PREFIX + the pid of the test
 * process that made it, so a run removes what a killed earlier run left (its pid is gone) and
 * never what another test file of the same run is using.
 */
const PREFIX = 'cin'
const OWNER = new RegExp(`^${PREFIX}(\\d+)`)

export type Host = {
  name: string
  /** Its address on the test network. */
  address: string
  /** Its namespace, for `ip netns exec`. */
  ns: string
  /** Runs `command` inside the host (a process group of its own, stopped with the network). */
  spawn(parameters: {
    name?: string
    command: string
    args: string[]
    env?: NodeJS.ProcessEnv
    cwd?: string
    onLine?: (line: string) => void
  }): Child
  /** Runs a command inside the host to its end; its stdout. */
  run(command: string, args: string[]): Promise<string>
  /** Takes the host off the network: packets to and from it are lost from now on. */
  cut(): Promise<void>
  /** Puts it back. */
  reconnect(): Promise<void>
}

export type TestNetwork = {
  /** The test process's address on the network (the bridge's). */
  gateway: string
  hosts: Record<string, Host>
  /** Stops every process spawned in a host, then removes the namespaces, links and bridge. */
  destroy(): Promise<void>
}

const ip = async (...args: string[]) => (await exec('ip', args)).stdout

/**
 * Null when this machine lets the test make namespaces (root and `ip netns`), else the reason,
 * for a test's skip message.
 */
export async function netnsUnavailable(): Promise<string | null> {
  if (process.platform !== 'linux') return `network namespaces are Linux-only (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)'
  const probe = `${PREFIX}probe${randomBytes(2).toString('hex')}`
  try {
    await ip('netns', 'add', probe)
    await ip('netns', 'del', probe)
    return null
  } catch (error) {
    return `ip netns is not permitted here: ${(error as Error).message.split('\n')[0]}`
  }
}

/** Whether a namespace or link was made by a process that is gone (a killed earlier run). */
function stale(name: string): boolean {
  const pid = Number(OWNER.exec(name)?.[1])
  if (!pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch {
    return true
  }
}

/** Removes what killed earlier runs left: their namespaces, links and bridges. */
async function removeStale(): Promise<void> {
  const namespaces = (await ip('netns', 'list')).split('\n').map((line) => line.split(' ')[0] ?? '')
  for (const ns of namespaces.filter(stale)) await ip('netns', 'del', ns).catch(() => {})
  const links = (await ip('-o', 'link', 'show'))
    .split('\n')
    .map((line) => line.split(':')[1]?.trim().split('@')[0] ?? '')
  for (const link of links.filter(stale)) await ip('link', 'del', link).catch(() => {})
}

/**
 * Makes a network of `names` hosts on 10.<octet>.0.0/24: the bridge is .1, the hosts .2, .3, …
 * in the order given. Each test file uses an octet of its own (they may run at once).
 */
export async function createTestNetwork(names: readonly string[], octet: number): Promise<TestNetwork> {
  await removeStale()
  const owner = `${PREFIX}${process.pid}`
  const bridge = `${owner}b${octet}`
  const subnet = `10.${octet}.0`
  const gateway = `${subnet}.1`
  const children: Child[] = []
  const made: string[] = []
  await ip('link', 'add', bridge, 'type', 'bridge')
  await ip('addr', 'add', `${gateway}/24`, 'dev', bridge)
  await ip('link', 'set', bridge, 'up')
  const hosts: Record<string, Host> = {}
  try {
    for (const [index, name] of names.entries()) {
      const ns = `${owner}-${octet}-${name}`
      const outside = `${owner}v${octet}${index}`.slice(0, 15)
      const address = `${subnet}.${index + 2}`
      await ip('netns', 'add', ns)
      made.push(ns)
      await ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
      await ip('link', 'set', outside, 'master', bridge, 'up')
      await ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0')
      await ip('-n', ns, 'link', 'set', 'eth0', 'up')
      await ip('-n', ns, 'link', 'set', 'lo', 'up')
      await ip('-n', ns, 'route', 'add', 'default', 'via', gateway)
      hosts[name] = {
        name,
        address,
        ns,
        spawn({ name: label, command, args, env, cwd, onLine }) {
          const child = spawnChild({
            name: label ?? `${name}: ${command}`,
            command: 'ip',
            args: ['netns', 'exec', ns, command, ...args],
            env,
            cwd,
            onLine,
          })
          children.push(child)
          return child
        },
        run: async (command, args) => (await exec('ip', ['netns', 'exec', ns, command, ...args])).stdout,
        cut: async () => {
          await ip('link', 'set', outside, 'down')
        },
        reconnect: async () => {
          await ip('link', 'set', outside, 'up')
        },
      }
    }
  } catch (error) {
    for (const ns of made) await ip('netns', 'del', ns).catch(() => {})
    await ip('link', 'del', bridge).catch(() => {})
    throw error
  }
  return {
    gateway,
    hosts,
    async destroy() {
      await Promise.all(children.map((child) => child.stop(5_000).catch(() => {})))
      for (const ns of made) await ip('netns', 'del', ns).catch(() => {})
      await ip('link', 'del', bridge).catch(() => {})
    },
  }
}
