import dns from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import { BadRequestError } from '../../errors'

/*
 * Webhook URLs are typed by an admin but fetched by the server: without these checks one could
 * make the runner POST to the database, the cloud's metadata service or any internal port
 * (SSRF). Refused at input for IP literals, and again at connect time for every address a name
 * resolves to, so a name that resolves (or is rebound) to an internal address is refused too.
 * ALERTS_ALLOW_PRIVATE_WEBHOOKS=true lifts the address rule for a local receiver.
 */

/**
 * Loopback, private, link-local, CGNAT, ULA, IPv4-mapped and other non-public ranges; one list
 * per family, since a BlockList also matches IPv4 addresses against its IPv4-mapped IPv6 rules.
 */
const internal4 = new net.BlockList()
const internal6 = new net.BlockList()
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  internal4.addSubnet(prefix, bits, 'ipv4')
for (const [prefix, bits] of [
  ['::', 127], // :: and ::1
  ['::ffff:0:0', 96], // IPv4-mapped: refused whatever the IPv4 address
  ['64:ff9b::', 96], // NAT64
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  internal6.addSubnet(prefix, bits, 'ipv6')

/** Whether `ip` (an IPv4 or IPv6 address) is not a public unicast address. */
export function isInternalAddress(ip: string): boolean {
  const family = net.isIP(ip)
  if (family === 0) return true
  return family === 4 ? internal4.check(ip, 'ipv4') : internal6.check(ip, 'ipv6')
}

/** The URL's host as an IP address when it is one (brackets of IPv6 dropped), else null. */
const ipLiteral = (url: URL): string | null => {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  return net.isIP(host) ? host : null
}

/**
 * Refuses a webhook URL with credentials in it (400 `webhook_credentials`) or, unless
 * `allowPrivate`, one naming an internal IP address or localhost (400 `webhook_private_address`).
 */
export function requireSafeWebhookUrl(url: string, allowPrivate: boolean): void {
  const parsed = new URL(url)
  if (parsed.username || parsed.password)
    throw new BadRequestError({
      code: 'webhook_credentials',
      message: 'A webhook URL may not carry a user name or password; put the secret in its path.',
    })
  if (allowPrivate) return
  const ip = ipLiteral(parsed)
  const host = parsed.hostname.toLowerCase()
  if ((ip && isInternalAddress(ip)) || host === 'localhost' || host.endsWith('.localhost'))
    throw new BadRequestError({
      code: 'webhook_private_address',
      message:
        'A webhook may not point at a loopback, private or link-local address (set ALERTS_ALLOW_PRIVATE_WEBHOOKS=true for a local receiver).',
    })
}

/** Thrown at connect time for an internal address; its code is what the log says. */
class InternalAddressError extends Error {
  code = 'EINTERNALADDRESS'
}

/** dns.lookup, refusing any internal address among the answers (a rebinding gets no second try). */
function safeLookup(
  hostname: string,
  options: dns.LookupOptions,
  callback: (
    error: NodeJS.ErrnoException | null,
    address: string | dns.LookupAddress[],
    family?: number,
  ) => void,
): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, [])
    if (addresses.some((a) => isInternalAddress(a.address)))
      return callback(new InternalAddressError(`${hostname} resolves to an internal address`), [])
    if (options.all) return callback(null, addresses)
    const first = addresses[0]
    if (!first) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), [])
    callback(null, first.address, first.family)
  })
}

/**
 * POSTs `body` to `url` and resolves with the answer's status (its body is never read). Without
 * `allowPrivate`, an internal IP literal or a name resolving to one fails with code
 * EINTERNALADDRESS before any connection. Redirects are not followed (http.request never does).
 */
export function postWebhook({
  url,
  body,
  headers,
  signal,
  allowPrivate,
}: {
  url: string
  body: string
  headers: Record<string, string>
  signal: AbortSignal
  allowPrivate: boolean
}): Promise<number> {
  return new Promise((resolve, reject) => {
    const parsed = new URL(url)
    const ip = ipLiteral(parsed)
    if (!allowPrivate && ip && isInternalAddress(ip))
      return reject(new InternalAddressError('an internal address'))
    const request = (parsed.protocol === 'https:' ? https : http).request(
      parsed,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal,
        ...(allowPrivate ? {} : { lookup: safeLookup as never }),
        agent: false,
      },
      (response) => {
        response.resume()
        response.destroy()
        resolve(response.statusCode ?? 0)
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}
