import { defineConfig } from 'prisma/config'

// Used by `prisma generate` (which needs no database). Migrations are applied by
// lib/server/db/migrate.ts, not by the Prisma CLI.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
})
