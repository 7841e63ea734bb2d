import { defineConfig } from 'tsup'

/** ESM and CommonJS with their own type declarations, for every entry point of package.json's exports. */
export default defineConfig({
  // One entry per framework, so a service loads only the middleware it uses (each imports its
  // framework's types only).
  entry: {
    index: 'src/index.ts',
    express: 'src/middleware/express.ts',
    fastify: 'src/middleware/fastify.ts',
    hono: 'src/middleware/hono.ts',
    koa: 'src/middleware/koa.ts',
    next: 'src/middleware/next.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Shared code in chunks of its own, loaded once by every entry: one PaymentError class (so
  // `instanceof` holds whichever entry made it), one verifier implementation.
  splitting: true,
  treeshake: true,
})
