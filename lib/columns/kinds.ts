import type { Address, Hex } from 'viem'
import { z } from 'zod'

/**
 * Column kinds: how one stored field travels from its database value (a Prisma row) to the
 * domain value (uint256 as `bigint`) and on to the JSON API (decimal strings, ISO times), and
 * back. An entity is a list of columns (see ./channel, ./block, ...); its decoder, its JSON
 * mapping, its zod schema and the indexer's bulk writes are all derived from that one list.
 * Client-safe: no Prisma, no Node.
 *
 * @example
 * const columns = { number: int8('Block number'), gasUsed: uint('Gas used') }
 * entity(columns).decode({ number: 1n, gasUsed: prismaDecimal }) // { number: 1n, gasUsed: 21000n }
 */
export type Column<Db, Domain, Json> = {
  /** Postgres type, for writes that read their rows from JSON (indexer/store). */
  readonly sql: string
  /** Database value → domain value. */
  decode(value: Db): Domain
  /** Domain value → JSON-safe value for writes (bigints as decimal strings). */
  encode(value: Domain): unknown
  /** Domain value → the JSON API's value. */
  toJson(value: Domain): Json
  /** The JSON API's value → domain value. */
  fromJson(value: Json): Domain
  /** The JSON API value's schema (it also writes the OpenAPI document). */
  readonly schema: z.ZodType<Json>
}

// biome-ignore lint/suspicious/noExplicitAny: the widest column, for constraints only
export type AnyColumn = Column<any, any, any>
export type Columns = Record<string, AnyColumn>

/** A Prisma Decimal (or anything with an exact `toFixed()`), e.g. a `Decimal(78,0)` column's value. */
export type DecimalLike = { toFixed(): string }

/** A `Decimal(78,0)` value as the exact bigint it holds (never through a float). */
export const bigintOf = (value: DecimalLike): bigint => BigInt(value.toFixed())

/** Unix seconds as ISO-8601 UTC. */
export const isoSeconds = (seconds: bigint | number): string => new Date(Number(seconds) * 1000).toISOString()

const text = (v: bigint | number) => v.toString()
const same = <T>(v: T): T => v

/** Zod schema of a decimal-string quantity (exact for uint256). */
export const decimalSchema = (description: string) =>
  z.string().meta({ description: `${description} (decimal string)`, example: '1000000000000' })
/** Zod schema of a 32-byte hash. */
export const hashSchema = (description: string) =>
  z.string().meta({ description: `${description} (0x-hex, 32 bytes, lowercase)` })
/** Zod schema of an address. */
export const addressSchema = (description: string) =>
  z.string().meta({ description: `${description} (0x-hex, 20 bytes, lowercase)` })
/** Zod schema of a time. */
export const isoSchema = (description: string) =>
  z.string().meta({ description: `${description} (ISO-8601, UTC)` })

/** uint256 stored as `Decimal(78,0)`: a bigint, a decimal string in JSON. */
export const uint = (description: string): Column<DecimalLike, bigint, string> => ({
  sql: 'numeric',
  decode: bigintOf,
  encode: text,
  toJson: text,
  fromJson: BigInt,
  schema: decimalSchema(description),
})

/** A Postgres `bigint` (block numbers, sizes, nonces): a bigint, a decimal string in JSON. */
export const int8 = (description: string): Column<bigint, bigint, string> => ({
  sql: 'bigint',
  decode: same,
  encode: text,
  toJson: text,
  fromJson: BigInt,
  schema: decimalSchema(description),
})

/** Unix seconds as a Postgres `bigint`: a bigint, ISO-8601 in JSON. */
export const seconds = (description: string): Column<bigint, bigint, string> => ({
  sql: 'bigint',
  decode: same,
  encode: text,
  toJson: isoSeconds,
  fromJson: (iso) => BigInt(Math.floor(Date.parse(iso) / 1000)),
  schema: isoSchema(description),
})

/** A Postgres `int` (positions, counts): a number, a decimal string in JSON. */
export const int = (description: string): Column<number, number, string> => ({
  sql: 'int',
  decode: same,
  encode: same,
  toJson: String,
  fromJson: Number,
  schema: decimalSchema(description),
})

const hex = <T extends Hex>(
  schema: z.ZodType<string>,
  toJson: (v: T) => string = same,
): Column<string, T, string> => ({
  sql: 'text',
  decode: (v) => v as T,
  encode: same,
  toJson,
  fromJson: (v) => v as T,
  schema,
})

/** An address, stored lowercase (and answered lowercase whatever wrote it). */
export const address = (description: string) =>
  hex<Address>(addressSchema(description), (v) => v.toLowerCase())
/** A 32-byte hash, as the node gave it (lowercase). */
export const hash = (description: string) => hex<Hex>(hashSchema(description))
/** Bytes of any length (call data, revert data), 0x-hex as the node gave them. */
export const bytes = (description: string) =>
  hex<Hex>(z.string().meta({ description: `${description}, 0x-hex` }))

/** Text; `T` narrows it (e.g. a status). */
export const string = <T extends string = string>(
  schema: z.ZodType<T> = z.string() as unknown as z.ZodType<T>,
): Column<string, T, T> => ({
  sql: 'text',
  decode: (v) => v as T,
  encode: same,
  toJson: same,
  fromJson: same,
  schema,
})

/** A boolean. */
export const bool = (): Column<boolean, boolean, boolean> => ({
  sql: 'boolean',
  decode: same,
  encode: same,
  toJson: same,
  fromJson: same,
  schema: z.boolean(),
})

/** A JSON object kept as `jsonb` (decoded arguments: uint256 already as decimal strings). */
export const jsonb = (): Column<unknown, Record<string, unknown>, Record<string, unknown>> => ({
  sql: 'jsonb',
  decode: (v) => v as Record<string, unknown>,
  encode: same,
  toJson: same,
  fromJson: same,
  schema: z.record(z.string(), z.unknown()),
})

/** A `text[]` of 0x-hex (a log's topics). */
export const hexList = (): Column<string[], Hex[], string[]> => ({
  sql: 'text[]',
  decode: (v) => v as Hex[],
  encode: same,
  toJson: same,
  fromJson: (v) => v as Hex[],
  schema: z.array(z.string()),
})

/** A `numeric[]` of uint256 (a price table, counts per category): bigints, decimal strings in JSON. */
export const uintList = (description: string): Column<DecimalLike[], bigint[], string[]> => ({
  sql: 'numeric[]',
  decode: (v) => v.map(bigintOf),
  encode: (v) => v.map(text),
  toJson: (v) => v.map(text),
  fromJson: (v) => v.map(BigInt),
  schema: z.array(decimalSchema(description)),
})

/** The same column, null allowed (SQL NULL, JSON null). */
export function nullable<Db, Domain, Json>(
  column: Column<Db, Domain, Json>,
): Column<Db | null, Domain | null, Json | null> {
  return {
    sql: column.sql,
    decode: (v) => (v === null ? null : column.decode(v)),
    encode: (v) => (v === null ? null : column.encode(v)),
    toJson: (v) => (v === null ? null : column.toJson(v)),
    fromJson: (v) => (v === null ? null : column.fromJson(v)),
    schema: column.schema.nullable(),
  }
}
