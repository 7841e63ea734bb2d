import { z } from 'zod'
import { entity, omit, pick } from './entity'
import { address, bytes, hash, int, int8, jsonb, nullable, string, uint } from './kinds'

/** The `transaction` table: a transaction that emitted an indexed event or called the factory or a channel. */
export const transactionColumns = {
  hash: hash('Transaction hash'),
  blockHash: hash('Block hash'),
  blockNumber: int8('Block number'),
  txIndex: int('Position in the block'),
  type: string(z.string().meta({ example: 'eip1559' })),
  from: address('Sender'),
  to: nullable(address('Recipient')),
  contractAddress: nullable(address('Created contract')),
  value: uint('Value in wei'),
  nonce: int8('Sender nonce'),
  gasLimit: uint('Gas limit'),
  gasPrice: nullable(uint('Legacy gas price in wei')),
  maxFeePerGas: nullable(uint('EIP-1559 fee cap in wei')),
  maxPriorityFeePerGas: nullable(uint('EIP-1559 tip cap in wei')),
  input: bytes('Call data'),
  status: string(z.enum(['success', 'reverted'])),
  gasUsed: uint('Gas used'),
  effectiveGasPrice: uint('Price paid per gas in wei'),
  fee: uint('Fee paid in wei'),
  channel: nullable(address('Channel or factory the transaction concerns')),
  functionName: nullable(string()),
  /** Named arguments, JSON-safe (uint256 as decimal strings). */
  functionArgs: nullable(jsonb()),
  errorName: nullable(string()),
  errorArgs: nullable(jsonb()),
  errorData: nullable(bytes('Revert data')),
}

/** A stored transaction. */
export const transactionEntity = entity(transactionColumns)

/** The stored fields the explorer's transaction summary shows (it adds time, method, and allows unknowns). */
export const txSummaryEntity = entity(
  pick(transactionColumns, [
    'hash',
    'blockNumber',
    'txIndex',
    'from',
    'to',
    'contractAddress',
    'value',
    'fee',
    'status',
    'channel',
  ]),
)

/** The stored fields the explorer's transaction detail shows (it decodes the call and revert itself). */
export const txDetailEntity = entity(
  omit(transactionColumns, ['functionName', 'functionArgs', 'errorName', 'errorArgs', 'errorData']),
)
