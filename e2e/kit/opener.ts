import path from 'node:path'
import type { APIRequestContext } from '@playwright/test'
import { type Address, decodeEventLog, type Hex, keccak256, parseAbi, parseEther, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { compileSolidity } from '../../test/kit/solidity'
import { factoryAddress, waitForIndexed } from './api'
import { chain, roles, testClient, walletFor } from './chain'

/** A key of its own (no dev account is shared with the other specs), funded by anvil_setBalance. */
const opener = privateKeyToAccount(keccak256(stringToHex('channel-inspector e2e channel opener')))

/**
 * A transaction through another contract: ChannelOpener (test/kit/contracts/ChannelOpener.sol),
 * deployed on the stack's chain, opens a channel through the stack's factory and emits two logs
 * of its own around it (four logs, of which the index keeps two). Waits until it is indexed.
 */
export async function openThroughContract(
  request: APIRequestContext,
): Promise<{ hash: Hex; contract: Address; channel: Address }> {
  const { abi, bytecode } = compileSolidity(
    path.join(process.cwd(), 'test/kit/contracts/ChannelOpener.sol'),
    'ChannelOpener',
  )
  await testClient.setBalance({ address: opener.address, value: parseEther('10') })
  const wallet = await walletFor(opener)
  const deployed = await chain.waitForTransactionReceipt({
    hash: await wallet.deployContract({ abi, bytecode }),
  })
  const contract = deployed.contractAddress?.toLowerCase() as Address
  const hash = await wallet.writeContract({
    address: contract,
    abi,
    functionName: 'open',
    args: [await factoryAddress(request), roles.provider.address],
    value: 5_000n,
  })
  const receipt = await chain.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || receipt.logs.length !== 4)
    throw new Error(`open through ${contract} failed`)
  const after = decodeEventLog({
    abi: parseAbi(['event After(address indexed channel, string note)']),
    ...receipt.logs[3]!,
  })
  await waitForIndexed(request, receipt.blockNumber)
  return { hash, contract, channel: after.args.channel.toLowerCase() as Address }
}
