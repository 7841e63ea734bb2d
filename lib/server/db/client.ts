import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from './generated/client'

export type Db = PrismaClient

/** A Prisma client over node-postgres for `databaseUrl`. Call `$disconnect()` when done. */
export function createDb({ databaseUrl, max = 10 }: { databaseUrl: string; max?: number }): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max })
  return new PrismaClient({ adapter })
}
