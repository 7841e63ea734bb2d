/**
 * `npm run bench:crypto`: token crypto throughput on one core. The ceiling is raw libsecp256k1
 * as the server uses it (lib/server/secp256k1: the system library when there is one, else the
 * npm addon; sign / recover of a fixed 32-byte digest, measured in the same run), with the
 * bundled addon beside it when the system library is in use; our paths add the
 * EIP-712 digest (keccak in WebAssembly), canonical-signature checks and address derivation. viem's pure-JS path is
 * shown for comparison (what a Payment Server without the native path would be capped at).
 */
import { hexToBytes } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { loadSecp256k1, secp256k1 } from '../lib/server/secp256k1'
import {
  keccak256Fast,
  recoverTokenSignerNative,
  signTokenNative,
  tokenCryptoReady,
} from '../lib/server/tokenCrypto'
import { recoverTokenSigner, signToken, tokenDigestBytes } from '../packages/payment-client/src/token'

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const CHANNEL = '0x5fbdb2315678afecb367f032d93f642f64180aa3'
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5)

/** Operations per second of `fn` over about SECONDS (after a short warm-up). */
async function rate(fn: (i: number) => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await fn(i)
  let n = 0
  const started = performance.now()
  while (performance.now() - started < SECONDS * 1000) {
    for (let j = 0; j < 50; j++) await fn(n++)
  }
  return n / ((performance.now() - started) / 1000)
}

await tokenCryptoReady
const account = privateKeyToAccount(KEY)
const digest = tokenDigestBytes({ chainId: 31337, channel: CHANNEL, tokenId: 1n, requests: 1n })
const inUse = secp256k1()
const rawSig = inUse.ecdsaSign(digest, hexToBytes(KEY))
const tokens = Array.from({ length: 256 }, (_, i) =>
  signTokenNative({
    privateKey: KEY,
    chainId: 31337,
    channel: CHANNEL,
    tokenId: 1n,
    requests: BigInt(i + 1),
  }),
)

const rawSign = await rate(() => inUse.ecdsaSign(digest, hexToBytes(KEY)))
const rawRecover = await rate(() => inUse.ecdsaRecover(rawSig.signature, rawSig.recid, digest))
const bundled = inUse.name.startsWith('bundled') ? null : loadSecp256k1('bundled').secp256k1
const rows: [string, number, number | null][] = [
  ['ceiling: libsecp256k1 sign (raw digest)', rawSign, null],
  ['ceiling: libsecp256k1 recover (raw digest)', rawRecover, null],
  ...(bundled
    ? ([
        [
          'bundled npm addon sign (raw digest)',
          await rate(() => bundled.ecdsaSign(digest, hexToBytes(KEY))),
          rawSign,
        ],
        [
          'bundled npm addon recover (raw digest)',
          await rate(() => bundled.ecdsaRecover(rawSig.signature, rawSig.recid, digest)),
          rawRecover,
        ],
      ] as [string, number, number][])
    : []),
  [
    'EIP-712 digest only, keccak in JS (@noble/hashes)',
    await rate((i) =>
      tokenDigestBytes({ chainId: 31337, channel: CHANNEL, tokenId: 1n, requests: BigInt(i) }),
    ),
    null,
  ],
  [
    'EIP-712 digest only, keccak in WebAssembly (the server)',
    await rate((i) =>
      tokenDigestBytes({ chainId: 31337, channel: CHANNEL, tokenId: 1n, requests: BigInt(i) }, keccak256Fast),
    ),
    null,
  ],
  [
    'signTokenNative',
    await rate((i) =>
      signTokenNative({
        privateKey: KEY,
        chainId: 31337,
        channel: CHANNEL,
        tokenId: 1n,
        requests: BigInt(i),
      }),
    ),
    rawSign,
  ],
  [
    'recoverTokenSignerNative',
    await rate((i) => recoverTokenSignerNative({ chainId: 31337, token: tokens[i % tokens.length]! })),
    rawRecover,
  ],
  [
    'signToken (viem, pure JS)',
    await rate((i) =>
      signToken({ account, chainId: 31337, channel: CHANNEL, tokenId: 1n, requests: BigInt(i) }),
    ),
    rawSign,
  ],
  [
    'recoverTokenSigner (viem, pure JS)',
    await rate((i) => recoverTokenSigner({ chainId: 31337, token: tokens[i % tokens.length]! })),
    rawRecover,
  ],
]

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
console.log(`libsecp256k1 in use: ${inUse.name}`)
console.log('\n| operation | ops/s (1 core) | ratio to libsecp256k1 ceiling |')
console.log('|---|---:|---:|')
for (const [name, value, ceiling] of rows) {
  console.log(`| ${name} | ${fmt(value)} | ${ceiling ? `${((value / ceiling) * 100).toFixed(0)} %` : '-'} |`)
}
