import { type Address, encodeFunctionData, toEventSelector, toFunctionSelector } from 'viem'
import { intermediaryFactoryAbi } from '../../../../contracts/generated'
import type { ChannelEventRow, TxSummary } from '../../../explorer/api'
import { eventCsv, txCsv } from '../../../explorer/csv'
import type { OperationExamples } from './index'
import { blockSummary, channelSummary, depositEvent, head, labels, txSummary, v } from './values'

/** The explorer's operations: one realistic answer each, from the examples' dev chain. */
export const explorerExamples: Record<string, OperationExamples> = {
  listBlocks: {
    '200': {
      summary: 'The newest block, and a cursor to older ones',
      value: { blocks: [blockSummary], nextCursor: '1841', head, labels },
    },
  },
  getBlock: {
    '200': {
      summary: 'The block that opened the channel',
      value: {
        block: { ...blockSummary, parentHash: v.parentHash, source: 'index' },
        transactions: [txSummary],
        transactionsSource: 'index',
        labels,
      },
    },
  },
  getTransaction: {
    '200': {
      summary: 'shop opens a channel to billing through the factory',
      value: {
        transaction: {
          hash: v.openTx,
          blockHash: v.blockHash,
          blockNumber: v.block,
          txIndex: '0',
          type: 'eip1559',
          from: v.consumer,
          to: v.factory,
          contractAddress: null,
          value: '1000000000000000',
          nonce: '3',
          gasLimit: '2172975',
          gasPrice: null,
          maxFeePerGas: '2750000000',
          maxPriorityFeePerGas: '1000000000',
          input: encodeFunctionData({
            abi: intermediaryFactoryAbi,
            functionName: 'open',
            args: [v.provider as Address, BigInt(v.price), 60n, 900n],
          }),
          status: 'success',
          gasUsed: '1810813',
          effectiveGasPrice: '875000000',
          fee: '1584461375000000',
          channel: v.channel,
          source: 'node',
          timestamp: v.time,
          confirmations: '9',
          call: {
            name: 'open',
            signature: 'open(address,uint256,uint256,uint256)',
            selector: toFunctionSelector('open(address,uint256,uint256,uint256)'),
            args: [
              { name: 'provider', type: 'address', value: v.provider },
              { name: 'costPerRequest', type: 'uint256', value: v.price },
              { name: 'redemptionTimeout', type: 'uint256', value: '60' },
              { name: 'terminationTimeout', type: 'uint256', value: '900' },
            ],
          },
          revert: null,
        },
        events: [
          {
            logIndex: '1',
            address: v.channel,
            name: 'Deposited',
            signature: 'Deposited(address,uint256,uint256)',
            args: depositEvent.args,
            topics: [
              toEventSelector('Deposited(address,uint256,uint256)'),
              `0x000000000000000000000000${v.consumer.slice(2)}`,
            ],
            data: '0x00000000000000000000000000000000000000000000000000038d7ea4c6800000000000000000000000000000000000000000000000000000038d7ea4c68000',
          },
        ],
        eventsSource: 'node',
        eventsNote: null,
        labels,
      },
    },
  },
  getAddress: {
    '200': {
      summary: 'A service: its channels and transactions',
      value: {
        address: v.consumer,
        kind: 'account',
        balance: '99998415538625000000',
        nonce: '4',
        label: labels[v.consumer],
        channel: null,
        channels: [channelSummary],
        transactions: [txSummary],
        nextCursor: null,
        head,
        labels,
      },
    },
  },
  listChannels: {
    '200': {
      summary: 'One open channel',
      value: { channels: [channelSummary], nextCursor: null, head, labels },
    },
  },
  getChannel: {
    '200': {
      summary: 'An open channel, no redemption pending',
      value: {
        channel: channelSummary,
        pricing: null,
        head,
        countdowns: { redeemable: null, termination: null },
        events: [depositEvent],
        transactions: [txSummary],
        labels,
      },
    },
  },
  listEvents: {
    '200': {
      summary: 'The newest channel event',
      value: { events: [depositEvent], nextCursor: null, labels },
    },
  },
  exportAddressTransactions: {
    '200': {
      summary: "shop's transactions",
      value: txCsv.header + txCsv.line(txSummary as TxSummary),
    },
  },
  exportChannelEvents: {
    '200': {
      summary: 'A deposit',
      value: eventCsv.header + eventCsv.line(depositEvent as ChannelEventRow),
    },
  },
  search: {
    '200': { summary: 'A transaction hash', value: { kind: 'transaction', path: `/tx/${v.openTx}` } },
  },
}
