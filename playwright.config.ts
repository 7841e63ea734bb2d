import { defineConfig, devices } from '@playwright/test'
import { adminKeys } from './e2e/kit/chain'
import { TRACE_KEY_ENV, traceKeys } from './e2e/kit/tracing'

/**
 * E2E tests run against the whole stack started by `npm start` on its own port and data
 * directory (fresh per run, see scripts/test.ts). Chromium: Debian's by default here;
 * PLAYWRIGHT_CHROMIUM_PATH chooses another binary, and an empty value uses Playwright's own
 * browsers (after `npx playwright install chromium` on a machine that can download them).
 */
const port = Number(process.env.E2E_PORT ?? 3100)
const chromiumPath = process.env.PLAYWRIGHT_CHROMIUM_PATH ?? '/usr/bin/chromium'
const baseURL = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${port}`

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumPath === '' ? undefined : chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 } } },
    { name: 'phone', use: { ...devices['Pixel 7'] } },
  ],
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : {
        command: 'node --import tsx stack/start.ts',
        // Ready means everything npm start starts, the example network included (npm start
        // prints its summary last). Not `url`: Playwright would take whichever comes first.
        wait: { stdout: /Press Ctrl-C to stop/ },
        // A loaded machine (several engineers' builds at once) can take longer: E2E_START_TIMEOUT_MS.
        timeout: Number(process.env.E2E_START_TIMEOUT_MS ?? 180_000),
        reuseExistingServer: false,
        stdout: 'pipe',
        stderr: 'pipe',
        gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
        env: {
          PORT: String(port),
          DATA_DIR: process.env.E2E_DATA_DIR ?? '.data/e2e',
          EMBEDDED_PG_PORT: process.env.E2E_PG_PORT ?? '54331',
          ANVIL_PORT: process.env.E2E_ANVIL_PORT ?? '8555',
          // The example network runs, but the tests make its traffic themselves (exact counts).
          EXAMPLE_TRAFFIC_PER_SECOND: '0',
          // e2e/budgets.spec.ts's webhook receiver is on 127.0.0.1, an address refused otherwise (SSRF).
          ALERTS_ALLOW_PRIVATE_WEBHOOKS: 'true',
          PAYMENT_REDEEM_AFTER_SECONDS: '3600',
          // e2e/admin.spec.ts registers its provider as a Payment Server service (key from this
          // variable) and redeems from the browser with the token the server holds; the runner
          // would race it, so background work is off (runner.test.ts covers the runner).
          PAYMENT_RUNNER: 'off',
          // A fiat choice for the unit pickers (e2e/units.spec.ts).
          DISPLAY_CURRENCY: 'USD',
          DISPLAY_RATE: '3125.40',
          E2E_ADMIN_PROVIDER_KEY: adminKeys.provider,
          // e2e/tracing.spec.ts's middle services: Payment Server services whose keys the spec holds
          // to redeem on chain (the runner is off).
          [TRACE_KEY_ENV.charlie]: traceKeys.charlie,
          [TRACE_KEY_ENV.dave]: traceKeys.dave,
        },
      },
})
