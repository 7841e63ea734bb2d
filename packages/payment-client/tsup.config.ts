import { defineConfig } from 'tsup'

/** ESM and CommonJS with their own type declarations, for every entry point of package.json's exports. */
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
  treeshake: true,
})
