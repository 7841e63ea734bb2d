import { existsSync } from 'node:fs'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { type Address, createPublicClient, createWalletClient, formatGwei, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { chainFor } from '../lib/server/chain'
import { accountFunding, channelCategories, channelFunding, exampleServices } from './network'
import { paymentApi } from './paymentApi'
import type { Credentials } from './services'

export type CredentialsFile = {
  paymentUrl: string
  services: Record<string, { apiKey: string; address: Address; team: string; url?: string }>
}

/**
 * Makes the example network ready on a running Payment Server, idempotently: registers its
 * services (admin key), keeps their API keys in `credentialsFile` (mode 0600; a key that no
 * longer works is rotated), gives their accounts ether on a dev chain when `funderKey` is set,
 * and gets-or-creates every consumer→provider channel with a deposit and auto-funding.
 */
export async function setupExample({
  paymentUrl,
  adminKey,
  credentialsFile,
  rpcUrl,
  funderKey,
  log,
}: {
  paymentUrl: string
  adminKey: string
  credentialsFile: string
  rpcUrl?: string
  funderKey?: Hex
  log: (line: string) => void
}): Promise<{ credentials: Credentials; file: CredentialsFile }> {
  const api = paymentApi(paymentUrl)
  const saved: CredentialsFile = existsSync(credentialsFile)
    ? (JSON.parse(await readFile(credentialsFile, 'utf8')) as CredentialsFile)
    : { paymentUrl, services: {} }
  const file: CredentialsFile = { paymentUrl, services: {} }
  const listed = await api<{
    services: Array<{ name: string; address: Address }>
    error?: { message: string }
  }>('/services', adminKey)
  if (listed.status !== 200)
    throw new Error(`the Payment Server refused the admin key: ${listed.body.error?.message}`)
  const registered = new Set(listed.body.services.map((s) => s.name))

  for (const service of exampleServices) {
    const known = saved.services[service.name]
    if (known && (await api('/services', known.apiKey)).status === 200) {
      file.services[service.name] = known
      continue
    }
    const created = registered.has(service.name)
      ? await api<{ apiKey: string; service: { address: Address } }>(
          `/services/${service.name}/api-key`,
          adminKey,
          {},
        )
      : await api<{ apiKey: string; service: { address: Address } }>('/services', adminKey, {
          name: service.name,
          team: service.team,
          ...(service.price === null ? {} : { price: service.price.toString() }),
        })
    if (created.status !== 201)
      throw new Error(`registering ${service.name} failed: ${JSON.stringify(created.body)}`)
    file.services[service.name] = {
      apiKey: created.body.apiKey,
      address: created.body.service.address,
      team: service.team,
    }
    log(`${registered.has(service.name) ? 'new API key for' : 'registered'} service ${service.name}`)
  }
  await writeFile(credentialsFile, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
  await chmod(credentialsFile, 0o600)

  await keepExampleChannels({ paymentUrl, file, rpcUrl, funderKey, log })
  const credentials = Object.fromEntries(
    Object.entries(file.services).map(([name, s]) => [name, { apiKey: s.apiKey }]),
  )
  return { credentials, file }
}

/**
 * Gets-or-creates every consumer→provider channel of the example network, with a deposit and
 * auto-funding, after giving the services' accounts ether on a dev chain when `funderKey` is set.
 * Idempotent: npm start's example runs it again every half minute, so that after a reset of
 * the dev chain (the Payment Server retires the old chain's channels) the services get new
 * accounts' ether and new channels, and the traffic goes on.
 */
export async function keepExampleChannels({
  paymentUrl,
  file,
  rpcUrl,
  funderKey,
  log,
}: {
  paymentUrl: string
  file: CredentialsFile
  rpcUrl?: string
  funderKey?: Hex
  log: (line: string) => void
}): Promise<void> {
  const api = paymentApi(paymentUrl)
  if (rpcUrl && funderKey) await fundAccounts({ rpcUrl, funderKey, file, log })
  // All channels at once: on a chain with block times they then land in the same block or two.
  const pairs = exampleServices.flatMap((consumer) =>
    consumer.calls.map((provider) => ({ consumer, provider })),
  )
  await Promise.all(
    pairs.map(async ({ consumer, provider }) => {
      // A version 2 channel where the network prices by category (get-or-create per version).
      const categories = channelCategories(consumer.name, provider)
      const opened = await api<{
        created: boolean
        channel: { address: string }
        error?: { message: string }
      }>('/channels', (file.services[consumer.name] as { apiKey: string }).apiKey, {
        provider,
        deposit: channelFunding.deposit.toString(),
        autoFund: {
          threshold: channelFunding.autoFund.threshold.toString(),
          amount: channelFunding.autoFund.amount.toString(),
        },
        ...(categories
          ? {
              prices: categories.map(({ name, price, origin }) => ({
                name,
                price: price.toString(),
                origin,
              })),
            }
          : {}),
      })
      if (opened.status >= 300)
        throw new Error(`opening ${consumer.name} → ${provider} failed: ${opened.body.error?.message}`)
      const by = categories?.some((c) => c.origin) ? ' by origin' : ''
      const terms = categories
        ? ` (version 2${by}: ${categories.map((c) => `${c.name} ${formatGwei(c.price)} gwei`).join(', ')})`
        : ''
      if (opened.body.created)
        log(`opened channel ${consumer.name} → ${provider} at ${opened.body.channel.address}${terms}`)
    }),
  )
}

async function fundAccounts({
  rpcUrl,
  funderKey,
  file,
  log,
}: {
  rpcUrl: string
  funderKey: Hex
  file: CredentialsFile
  log: (line: string) => void
}) {
  const transport = http(rpcUrl)
  const chainId = await createPublicClient({ transport }).getChainId()
  const chain = chainFor({ chainId, rpcUrl })
  const publicClient = createPublicClient({ chain, transport })
  const wallet = createWalletClient({ chain, transport, account: privateKeyToAccount(funderKey) })
  // Sent one after the other (the funder's nonces), mined together.
  const sent: Array<{ name: string; address: Address; hash: Hex }> = []
  for (const [name, service] of Object.entries(file.services)) {
    const balance = await publicClient.getBalance({ address: service.address })
    if (balance >= accountFunding / 2n) continue
    sent.push({
      name,
      address: service.address,
      hash: await wallet.sendTransaction({ to: service.address, value: accountFunding }),
    })
  }
  for (const { name, address, hash } of sent) {
    await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 250 })
    log(`funded ${name} (${address}) with ${Number(accountFunding) / 1e18} ETH`)
  }
}
