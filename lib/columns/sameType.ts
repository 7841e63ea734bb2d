/**
 * Fails to compile unless `A` and `B` are the same type; does nothing at run time. Ties a column
 * list to the domain type it must decode to, e.g. `sameType<DomainOf<typeof columns>, Channel>()`.
 */
export function sameType<A, B>(..._: [A] extends [B] ? ([B] extends [A] ? [] : [never]) : [never]): void {}
