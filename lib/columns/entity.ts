import type { AnyColumn, Columns } from './kinds'

/** The domain value of an entity: each column's decoded type (uint256 as bigint). */
export type DomainOf<C extends Columns> = { -readonly [K in keyof C]: ReturnType<C[K]['decode']> }
/** What the database gives for an entity (a Prisma row has these fields, and more). */
export type RowOf<C extends Columns> = { [K in keyof C]: Parameters<C[K]['decode']>[0] }
/** The entity as the JSON API carries it (decimal strings, ISO times). */
export type JsonOf<C extends Columns> = { [K in keyof C]: ReturnType<C[K]['toJson']> }
/** The zod shape of `JsonOf<C>`, for `z.object()`. */
export type ShapeOf<C extends Columns> = { [K in keyof C]: C[K]['schema'] }

/** An entity's conversions, all derived from its one column list. */
export type Entity<C extends Columns> = {
  readonly columns: C
  /** Database row → domain (reads only the listed fields of the row). */
  decode(row: RowOf<C>): DomainOf<C>
  /** Domain → JSON API. */
  toJson(value: DomainOf<C>): JsonOf<C>
  /** Database row → JSON API. */
  rowToJson(row: RowOf<C>): JsonOf<C>
  /** JSON API → domain (the UI's fallback from a server-rendered answer). */
  fromJson(json: JsonOf<C>): DomainOf<C>
  /** The JSON API's zod shape, one schema per column. */
  readonly shape: ShapeOf<C>
}

type Step = (column: AnyColumn, value: unknown) => unknown

/**
 * The conversions of an entity from its columns.
 *
 * @example
 * const block = entity({ number: int8('Block number'), timestamp: seconds('Block time') })
 * block.rowToJson(row) // { number: '12', timestamp: '2026-12-07T09:00:00.000Z' }
 */
export function entity<C extends Columns>(columns: C): Entity<C> {
  const list = Object.entries(columns)
  const each =
    (step: Step) =>
    (value: Record<string, unknown>): Record<string, unknown> => {
      const out: Record<string, unknown> = {}
      for (const [key, column] of list) out[key] = step(column, value[key])
      return out
    }
  const decode = each((c, v) => c.decode(v))
  const toJson = each((c, v) => c.toJson(v))
  return {
    columns,
    decode: decode as Entity<C>['decode'],
    toJson: toJson as Entity<C>['toJson'],
    rowToJson: ((row: Record<string, unknown>) => toJson(decode(row))) as Entity<C>['rowToJson'],
    fromJson: each((c, v) => c.fromJson(v)) as Entity<C>['fromJson'],
    shape: Object.fromEntries(list.map(([key, column]) => [key, column.schema])) as ShapeOf<C>,
  }
}

/** The columns named in `keys`, in the list's order. */
export function pick<C extends Columns, const K extends keyof C & string>(
  columns: C,
  keys: readonly K[],
): Pick<C, K> {
  return Object.fromEntries(Object.entries(columns).filter(([key]) => keys.includes(key as K))) as Pick<C, K>
}

/** The columns not named in `keys`. */
export function omit<C extends Columns, const K extends keyof C & string>(
  columns: C,
  keys: readonly K[],
): Omit<C, K> {
  return Object.fromEntries(Object.entries(columns).filter(([key]) => !keys.includes(key as K))) as Omit<C, K>
}
