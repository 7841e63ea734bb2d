import { createRequire } from 'node:module'
import {
  type Abi,
  type Address,
  concat,
  getAddress,
  type Hex,
  type LocalAccount,
  numberToHex,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readChannelState } from '../../lib/channel'
import { contractErrorsAbi, decodeContractError } from '../../lib/contractErrors'
import { SECP256K1_N, signToken, tokenDigest } from '../../lib/token'
import { startTestChain, type TestChain } from '../../test/kit/chain'
import { intermediaryAbi } from '../generated'

/*
 * Hostile inputs and hostile parties: tokens replayed across channels and chains, forged and
 * malleable signatures, a stranger, and contract parties that re-enter the channel or refuse
 * payment.
 */

const COST = 1_000n
const REDEMPTION_TIMEOUT = 60n
const TERMINATION_TIMEOUT = 600n

type Fn = 'deposit' | 'startRedemption' | 'redeem' | 'withdraw' | 'startTermination' | 'terminate'

let t: TestChain
let factory: Address
let consumer: LocalAccount
let provider: LocalAccount
let stranger: LocalAccount

beforeAll(async () => {
  t = await startTestChain()
  factory = await t.deployFactory()
  consumer = t.accounts[1]!
  provider = t.accounts[2]!
  stranger = t.accounts[3]!
})
afterAll(() => t.stop())

async function open(p: { value?: bigint; provider?: Address } = {}) {
  const { channel } = await t.openChannel({
    factory,
    consumer,
    provider: p.provider ?? provider.address,
    costPerRequest: COST,
    redemptionTimeout: REDEMPTION_TIMEOUT,
    terminationTimeout: TERMINATION_TIMEOUT,
    value: p.value ?? 1_000_000n,
  })
  return channel
}

async function send(
  chain: TestChain,
  account: LocalAccount,
  address: Address,
  abi: Abi,
  functionName: string,
  args: readonly unknown[] = [],
  value?: bigint,
): Promise<TransactionReceipt> {
  const hash = await chain.wallet(account).writeContract({ address, abi, functionName, args, value })
  return chain.mined(hash)
}

const sendChannel = (
  account: LocalAccount,
  channel: Address,
  functionName: Fn,
  args: readonly unknown[] = [],
) => send(t, account, channel, intermediaryAbi as Abi, functionName, args)

/** The decoded custom error a call reverts with. */
function revertOf(
  account: LocalAccount,
  address: Address,
  functionName: string,
  args: readonly unknown[] = [],
  options: { value?: bigint; abi?: Abi; chain?: TestChain } = {},
) {
  return (options.chain ?? t).revertOf({
    account,
    address,
    abi: [...(options.abi ?? (intermediaryAbi as Abi)), ...contractErrorsAbi],
    functionName,
    args,
    value: options.value,
  })
}

/** Redeems (simulated first) and returns the amount paid, proving a token is valid where it belongs. */
async function simulatedRedeem(
  chain: TestChain,
  channel: Address,
  requests: bigint,
  signature: Hex,
  account: LocalAccount = provider,
) {
  const { request } = await chain.publicClient.simulateContract({
    account,
    address: channel,
    abi: intermediaryAbi,
    functionName: 'redeem',
    args: [requests, signature],
  })
  const hash = await chain.wallet(account).writeContract(request)
  const receipt = await chain.mined(hash)
  const [redeemed] = parseEventLogs({ abi: intermediaryAbi, logs: receipt.logs, eventName: 'Redeemed' })
  return redeemed!.args.amount
}

async function sign(
  channel: Address,
  tokenId: bigint,
  requests: bigint,
  account = consumer,
  chainId = t.chain.id,
) {
  return (await signToken({ account, chainId, channel, tokenId, requests })).signature
}

/** A channel whose token 1 is in redemption and redeemable now. */
async function redeemable(value = 1_000_000n) {
  const channel = await open({ value })
  await sendChannel(provider, channel, 'startRedemption', [2n])
  await t.advanceTime(REDEMPTION_TIMEOUT)
  return channel
}

const invalidSignature = { name: 'InvalidSignature', args: [] }

describe('forged and replayed tokens', () => {
  it('redeem() refuses a token signed for another channel', async () => {
    const channel = await redeemable()
    const other = await redeemable()
    const foreign = await sign(other, 1n, 10n)
    expect(await revertOf(provider, channel, 'redeem', [10n, foreign])).toEqual(invalidSignature)
    // The same token is good on the channel it was signed for.
    expect(await simulatedRedeem(t, other, 10n, foreign)).toBe(10_000n)
  })

  it('redeem() refuses a token signed with another chain id', async () => {
    const channel = await redeemable()
    const mainnet = await sign(channel, 1n, 10n, consumer, 1)
    expect(await revertOf(provider, channel, 'redeem', [10n, mainnet])).toEqual(invalidSignature)
    expect(await simulatedRedeem(t, channel, 10n, await sign(channel, 1n, 10n))).toBe(10_000n)
  })

  it('redeem() refuses a token replayed from a channel at the same address on another chain', async () => {
    const other = await startTestChain({ chainId: 1_337 })
    try {
      // Fresh accounts on both chains: same deployer nonces, so same factory and channel addresses.
      const deployer = t.accounts[9]!
      const twinConsumer = t.accounts[8]!
      // Not accounts[7]: ANVIL_KEYS[7] in stack/anvil.ts is not anvil's key #7 (unfunded address).
      const twinProvider = t.accounts[6]!
      const setup = async (chain: TestChain) => {
        const twinFactory = await chain.deployFactory(deployer)
        const { channel } = await chain.openChannel({
          factory: twinFactory,
          consumer: twinConsumer,
          provider: twinProvider.address,
          value: 50_000n,
        })
        await send(chain, twinProvider, channel, intermediaryAbi as Abi, 'startRedemption', [2n])
        await chain.advanceTime(REDEMPTION_TIMEOUT)
        return channel
      }
      const here = await setup(t)
      const there = await setup(other)
      expect(here).toBe(there)
      const tokenThere = await sign(there, 1n, 7n, twinConsumer, 1_337)
      expect(await revertOf(twinProvider, here, 'redeem', [7n, tokenThere])).toEqual(invalidSignature)
      const tokenHere = await sign(here, 1n, 7n, twinConsumer, t.chain.id)
      expect(await revertOf(twinProvider, there, 'redeem', [7n, tokenHere], { chain: other })).toEqual(
        invalidSignature,
      )
      // Each token is good on its own chain.
      expect(await simulatedRedeem(other, there, 7n, tokenThere, twinProvider)).toBe(7_000n)
      expect(await simulatedRedeem(t, here, 7n, tokenHere, twinProvider)).toBe(7_000n)
    } finally {
      await other.stop()
    }
  })

  it('redeem() refuses a token signed by the provider', async () => {
    const channel = await redeemable()
    expect(
      await revertOf(provider, channel, 'redeem', [10n, await sign(channel, 1n, 10n, provider)]),
    ).toEqual(invalidSignature)
  })

  it('redeem() refuses a token signed by a stranger', async () => {
    const channel = await redeemable()
    expect(
      await revertOf(provider, channel, 'redeem', [10n, await sign(channel, 1n, 10n, stranger)]),
    ).toEqual(invalidSignature)
  })

  it('redeem() refuses the high-s twin of a valid signature that plain ecrecover accepts', async () => {
    const channel = await redeemable()
    const signature = await sign(channel, 1n, 10n)
    const r = `0x${signature.slice(2, 66)}` as Hex
    const s = BigInt(`0x${signature.slice(66, 130)}`)
    const v = Number.parseInt(signature.slice(130, 132), 16)
    expect(s <= SECP256K1_N / 2n).toBe(true)
    const highS = SECP256K1_N - s
    const flippedV = v === 27 ? 28 : 27
    const twin = concat([r, numberToHex(highS, { size: 32 }), numberToHex(flippedV, { size: 1 })])
    expect(twin).not.toBe(signature)

    const digest = tokenDigest({ chainId: t.chain.id, channel, tokenId: 1n, requests: 10n })
    const ecrecover = async (vv: number, ss: bigint) => {
      const { data } = await t.publicClient.call({
        to: '0x0000000000000000000000000000000000000001',
        data: concat([digest, numberToHex(vv, { size: 32 }), r, numberToHex(ss, { size: 32 })]),
      })
      return `0x${data!.slice(26)}`
    }
    expect(await ecrecover(v, s)).toBe(consumer.address.toLowerCase())
    expect(await ecrecover(flippedV, highS)).toBe(consumer.address.toLowerCase())

    expect(await revertOf(provider, channel, 'redeem', [10n, twin])).toEqual(invalidSignature)
    expect(await simulatedRedeem(t, channel, 10n, signature)).toBe(10_000n)
  })

  it('redeem() refuses a 64-byte (EIP-2098 compact) signature of the consumer', async () => {
    const channel = await redeemable()
    const signature = await sign(channel, 1n, 10n)
    const s = BigInt(`0x${signature.slice(66, 130)}`)
    const yParity = BigInt(Number.parseInt(signature.slice(130, 132), 16) - 27)
    const compact = concat([`0x${signature.slice(2, 66)}`, numberToHex(s | (yParity << 255n), { size: 32 })])
    expect(compact.length).toBe(2 + 128)
    expect(await revertOf(provider, channel, 'redeem', [10n, compact])).toEqual(invalidSignature)
  })

  it('redeem() refuses malformed signatures', async () => {
    const channel = await redeemable()
    const signature = await sign(channel, 1n, 10n)
    const v = Number.parseInt(signature.slice(130, 132), 16)
    const garbage: Hex[] = [
      '0x',
      `0x${'00'.repeat(65)}`,
      `0x${'ab'.repeat(65)}`,
      `0x${'ff'.repeat(65)}`,
      `${signature}00`,
      concat([signature, signature]),
      `${signature.slice(0, 130)}${(v - 27).toString(16).padStart(2, '0')}` as Hex,
      `${signature.slice(0, 130)}1d` as Hex,
    ]
    for (const bad of garbage) {
      expect(await revertOf(provider, channel, 'redeem', [10n, bad])).toEqual(invalidSignature)
    }
    expect((await readChannelState({ client: t.publicClient, address: channel })).expiringTokenId).toBe(1n)
  })
})

describe('a stranger', () => {
  it('a stranger is refused by every function of the channel', async () => {
    const channel = await open()
    await sendChannel(provider, channel, 'startRedemption', [2n])
    await sendChannel(consumer, channel, 'startTermination')
    await t.advanceTime(TERMINATION_TIMEOUT)
    const signature = await sign(channel, 1n, 1n)
    const calls: [Fn, readonly unknown[], bigint | undefined, string][] = [
      ['deposit', [], 1n, 'NotConsumer'],
      ['startRedemption', [3n], undefined, 'NotProvider'],
      ['redeem', [1n, signature], undefined, 'NotProvider'],
      ['redeem', [0n, '0x'], undefined, 'NotProvider'],
      ['withdraw', [], undefined, 'NotParty'],
      ['startTermination', [], undefined, 'NotConsumer'],
      ['terminate', [], undefined, 'NotParty'],
    ]
    for (const [functionName, args, value, name] of calls) {
      expect(await revertOf(stranger, channel, functionName, args, { value })).toEqual({ name, args: [] })
    }
  })
})

/* ---------------------------------------------------------------------------------------------- */
/* Contract parties                                                                               */
/* ---------------------------------------------------------------------------------------------- */

const PARTIES_SOL = `
// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

interface IChannel {
    function deposit() external payable;
    function startRedemption(uint256 newTokenId) external;
    function redeem(uint256 requests, bytes calldata signature) external;
    function withdraw() external;
    function startTermination() external;
    function terminate() external;
}

interface IFactory {
    function open(address provider, uint256 costPerRequest, uint256 redemptionTimeout, uint256 terminationTimeout)
        external
        payable
        returns (address);
}

/// A channel party that forwards the owner's calls to its channel.
abstract contract Party {
    IChannel public channel;

    function attach(IChannel channel_) external {
        channel = channel_;
    }

    function open(IFactory factory, address provider, uint256 cost, uint256 rt, uint256 tt) external payable {
        channel = IChannel(factory.open{value: msg.value}(provider, cost, rt, tt));
    }

    function deposit() external payable {
        channel.deposit{value: msg.value}();
    }

    function startRedemption(uint256 newTokenId) external {
        channel.startRedemption(newTokenId);
    }

    function redeem(uint256 requests, bytes calldata signature) external {
        channel.redeem(requests, signature);
    }

    function withdraw() external {
        channel.withdraw();
    }

    function startTermination() external {
        channel.startTermination();
    }

    function terminate() external {
        channel.terminate();
    }
}

/// Re-enters withdraw() and terminate() from receive(), up to three levels deep.
contract Reentrant is Party {
    uint256 public received;
    uint256 public payments;
    uint256 public reentries;
    uint256 public innerWithdrawSuccesses;
    uint256 public innerTerminateSuccesses;
    bytes public innerWithdrawError;
    bytes public innerTerminateError;

    receive() external payable {
        received += msg.value;
        payments += 1;
        if (reentries >= 3) return;
        reentries += 1;
        try channel.withdraw() {
            innerWithdrawSuccesses += 1;
        } catch (bytes memory reason) {
            innerWithdrawError = reason;
        }
        try channel.terminate() {
            innerTerminateSuccesses += 1;
        } catch (bytes memory reason) {
            innerTerminateError = reason;
        }
    }
}

/// Refuses every payment.
contract Refusing is Party {
    receive() external payable {
        revert("refused");
    }
}

/// Forces its value into \`target\`, which cannot refuse it (no code of the target runs).
contract ForceFeeder {
    constructor(address payable target) payable {
        selfdestruct(target);
    }
}
`

type Artifact = { abi: Abi; bytecode: Hex }

function compileParties(): { Reentrant: Artifact; Refusing: Artifact; ForceFeeder: Artifact } {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string }
  const input = {
    language: 'Solidity',
    sources: { 'Parties.sol': { content: PARTIES_SOL } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>
  }
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  const artifact = (name: string): Artifact => {
    const c = output.contracts['Parties.sol']![name]!
    return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }
  }
  return {
    Reentrant: artifact('Reentrant'),
    Refusing: artifact('Refusing'),
    ForceFeeder: artifact('ForceFeeder'),
  }
}

describe('contract parties', () => {
  let parties: ReturnType<typeof compileParties>
  const owner = () => t.accounts[4]!

  beforeAll(() => {
    parties = compileParties()
  })

  async function deploy(artifact: Artifact): Promise<Address> {
    const hash = await t.wallet(owner()).deployContract({ abi: artifact.abi, bytecode: artifact.bytecode })
    const receipt = await t.mined(hash)
    return receipt.contractAddress!
  }

  const party = (artifact: Artifact, address: Address) => ({
    send: (functionName: string, args: readonly unknown[] = [], value?: bigint) =>
      send(t, owner(), address, artifact.abi, functionName, args, value),
    read: (functionName: string) => t.publicClient.readContract({ address, abi: artifact.abi, functionName }),
    revertOf: (functionName: string, args: readonly unknown[] = []) =>
      revertOf(owner(), address, functionName, args, { abi: artifact.abi }),
  })

  async function channelState(channel: Address) {
    const s = await readChannelState({ client: t.publicClient, address: channel })
    return { ...s, balance: await t.publicClient.getBalance({ address: channel }) }
  }

  it('a provider re-entering withdraw() and terminate() from receive() gets exactly its earnings', async () => {
    const address = await deploy(parties.Reentrant)
    const attacker = party(parties.Reentrant, address)
    const channel = await open({ provider: address, value: 100_000n })
    await attacker.send('attach', [channel])
    await attacker.send('startRedemption', [2n])
    await t.advanceTime(REDEMPTION_TIMEOUT)
    await attacker.send('redeem', [30n, await sign(channel, 1n, 30n)])
    const before = await channelState(channel)
    expect([before.consumerFunds, before.providerFunds, before.balance]).toEqual([70_000n, 30_000n, 100_000n])

    const receipt = await attacker.send('withdraw')

    expect(await attacker.read('received')).toBe(30_000n)
    expect(await attacker.read('payments')).toBe(1n)
    expect(await t.publicClient.getBalance({ address })).toBe(30_000n)
    expect(await attacker.read('innerWithdrawSuccesses')).toBe(0n)
    expect(decodeContractError((await attacker.read('innerWithdrawError')) as Hex)?.name).toBe(
      'NothingToWithdraw',
    )
    // The provider may terminate at any time, also from receive(); it moves no money.
    expect(await attacker.read('innerTerminateSuccesses')).toBe(1n)
    const events = parseEventLogs({ abi: intermediaryAbi, logs: receipt.logs }).map((e) => [
      e.eventName,
      e.args,
    ])
    expect(events).toEqual([
      ['Withdrawn', { to: getAddress(address), amount: 30_000n }],
      ['Terminated', { by: getAddress(address), consumerRefund: 70_000n, providerPayout: 0n }],
    ])
    const after = await channelState(channel)
    expect([after.consumerFunds, after.providerFunds, after.balance, after.terminated]).toEqual([
      70_000n,
      0n,
      70_000n,
      true,
    ])
    // The consumer's refund is intact.
    await sendChannel(consumer, channel, 'withdraw')
    expect((await channelState(channel)).balance).toBe(0n)
  })

  it('a consumer re-entering withdraw() and terminate() from receive() gets exactly its refund', async () => {
    const address = await deploy(parties.Reentrant)
    const attacker = party(parties.Reentrant, address)
    await attacker.send(
      'open',
      [factory, provider.address, COST, REDEMPTION_TIMEOUT, TERMINATION_TIMEOUT],
      50_000n,
    )
    const channel = ((await attacker.read('channel')) as Address).toLowerCase() as Address
    await attacker.send('deposit', [], 25_000n)
    await sendChannel(provider, channel, 'startRedemption', [2n])
    await t.advanceTime(REDEMPTION_TIMEOUT)
    await sendChannel(provider, channel, 'redeem', [0n, '0x'])
    await attacker.send('startTermination')
    await t.advanceTime(TERMINATION_TIMEOUT)
    await attacker.send('terminate')
    expect((await channelState(channel)).balance).toBe(75_000n)

    await attacker.send('withdraw')

    expect(await attacker.read('received')).toBe(75_000n)
    expect(await attacker.read('payments')).toBe(1n)
    expect(await t.publicClient.getBalance({ address })).toBe(75_000n)
    expect(await attacker.read('innerWithdrawSuccesses')).toBe(0n)
    expect(await attacker.read('innerTerminateSuccesses')).toBe(0n)
    expect(decodeContractError((await attacker.read('innerWithdrawError')) as Hex)?.name).toBe(
      'NothingToWithdraw',
    )
    expect(decodeContractError((await attacker.read('innerTerminateError')) as Hex)?.name).toBe(
      'AlreadyTerminated',
    )
    const after = await channelState(channel)
    expect([after.consumerFunds, after.providerFunds, after.balance]).toEqual([0n, 0n, 0n])
  })

  it('withdraw() to a provider that refuses payment reverts TransferFailed and keeps its funds', async () => {
    const address = await deploy(parties.Refusing)
    const refusing = party(parties.Refusing, address)
    const channel = await open({ provider: address, value: 100_000n })
    await refusing.send('attach', [channel])
    await refusing.send('startRedemption', [2n])
    await t.advanceTime(REDEMPTION_TIMEOUT)
    await refusing.send('redeem', [40n, await sign(channel, 1n, 40n)])

    expect(await refusing.revertOf('withdraw')).toEqual({ name: 'TransferFailed', args: [] })
    const hash = await t.wallet(owner()).writeContract({
      address,
      abi: parties.Refusing.abi,
      functionName: 'withdraw',
      gas: 300_000n,
    })
    expect((await t.publicClient.waitForTransactionReceipt({ hash })).status).toBe('reverted')

    const after = await channelState(channel)
    expect([after.consumerFunds, after.providerFunds, after.balance]).toEqual([60_000n, 40_000n, 100_000n])
    expect(await t.publicClient.getBalance({ address })).toBe(0n)
  })

  it('withdraw() to a consumer that refuses its refund reverts TransferFailed and keeps the refund', async () => {
    const address = await deploy(parties.Refusing)
    const refusing = party(parties.Refusing, address)
    await refusing.send(
      'open',
      [factory, provider.address, COST, REDEMPTION_TIMEOUT, TERMINATION_TIMEOUT],
      80_000n,
    )
    const channel = ((await refusing.read('channel')) as Address).toLowerCase() as Address
    await sendChannel(provider, channel, 'terminate')

    expect(await refusing.revertOf('withdraw')).toEqual({ name: 'TransferFailed', args: [] })
    const after = await channelState(channel)
    expect([after.consumerFunds, after.providerFunds, after.balance]).toEqual([80_000n, 0n, 80_000n])
  })

  it('ether forced in by selfdestruct is credited to no one and leaves the accounting intact', async () => {
    const channel = await open({ value: 10_000n })
    const hash = await t.wallet(owner()).deployContract({
      abi: parties.ForceFeeder.abi,
      bytecode: parties.ForceFeeder.bytecode,
      args: [channel],
      value: 5n,
    })
    await t.mined(hash)
    const forced = await channelState(channel)
    // The documented invariant is balance >= consumerFunds + providerFunds: the forced ether is
    // credited to no one and never paid out.
    expect([forced.consumerFunds, forced.providerFunds, forced.balance]).toEqual([10_000n, 0n, 10_005n])
    await sendChannel(provider, channel, 'terminate')
    await sendChannel(consumer, channel, 'withdraw')
    const after = await channelState(channel)
    expect([after.consumerFunds, after.providerFunds, after.balance]).toEqual([0n, 0n, 5n])
  })
})
