import { readFileSync } from 'node:fs'
import path from 'node:path'
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { createIndexerMetrics } from '../../indexer/metrics'
import { type AppApi, serveAppApi } from '../../test/kit/appApi'
import { createTestDatabase, type TestDatabase } from '../../test/kit/database'
import { type ChannelTestbed, startChannelTestbed } from '../../test/kit/testbed'
import { exposedNames, metricNames } from './promql'

/*
 * The Grafana dashboard and the Prometheus rules shipped in deploy/observability: well-formed,
 * and reading only metrics the product exports: those a real Payment Server answers at
 * /api/payment/metrics (over HTTP, as `npm start` serves it) and those of the indexer's registry.
 */

const here = import.meta.dirname
const dashboard = JSON.parse(readFileSync(path.join(here, 'grafana-dashboard.json'), 'utf8'))
const rules = parse(readFileSync(path.join(here, 'prometheus-rules.yaml'), 'utf8')) as {
  groups: Array<{ name: string; rules: Array<Record<string, unknown>> }>
}

type Panel = {
  id: number
  type: string
  title: string
  datasource?: unknown
  targets?: Array<{ refId: string; expr: string }>
}
const panels = dashboard.panels as Panel[]
const queries = panels.filter((p) => p.type !== 'row')
const allRules = rules.groups.flatMap((g) => g.rules)
const alerts = allRules.filter((r) => 'alert' in r)
const recorded = new Set(allRules.filter((r) => 'record' in r).map((r) => r.record as string))

/** Every PromQL expression shipped: dashboard targets, its variables' queries, rules. */
const expressions: Array<{ where: string; expr: string }> = [
  ...queries.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr })),
  ),
  ...(dashboard.templating.list as Array<{ name: string; definition?: string }>)
    .filter((v) => v.definition)
    // label_values(<metric>, <label>): the label is not a metric.
    .map((v) => ({
      where: `variable $${v.name}`,
      expr: (v.definition as string).replace(/,\s*\w+\)$/, ')'),
    })),
  ...allRules.map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr as string })),
]

let testbed: ChannelTestbed
let database: TestDatabase
let app: AppApi

beforeAll(async () => {
  testbed = await startChannelTestbed()
  database = await createTestDatabase()
  app = await serveAppApi({ testbed, database })
})

afterAll(async () => {
  await app?.close()
  await database?.drop()
  await testbed?.stop()
})

describe('deploy/observability', () => {
  it('metricNames() finds the metrics of an expression, not its functions, labels, ranges or variables', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, route) (rate(payment_request_duration_seconds_bucket{instance=~"$instance", x="a b"}[$__rate_interval] offset 5m)))',
      ),
    ).toEqual(['payment_request_duration_seconds_bucket'])
    expect(
      metricNames('(max(indexer_leader) or vector(0)) < 1 and on (job) a:b:ratio > 3 * x_total'),
    ).toEqual(['indexer_leader', 'a:b:ratio', 'x_total'])
  })

  it('the dashboard is Grafana JSON: unique panel ids, every panel on the datasource variable with PromQL targets', () => {
    expect(dashboard).toMatchObject({
      title: expect.any(String),
      uid: expect.any(String),
      schemaVersion: expect.any(Number),
    })
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length)
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    )
    for (const panel of queries) {
      expect(panel, panel.title).toMatchObject({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template.
        datasource: { type: 'prometheus', uid: '${datasource}' },
        gridPos: {
          h: expect.any(Number),
          w: expect.any(Number),
          x: expect.any(Number),
          y: expect.any(Number),
        },
      })
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0)
      const refIds = (panel.targets ?? []).map((t) => t.refId)
      expect(new Set(refIds).size, panel.title).toBe(refIds.length)
    }
    // What the dashboard is for: each part's panels.
    expect(panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual([
      'Payment Server',
      'Indexer',
      'Runner',
    ])
  })

  it('the rules are a valid PrometheusRule spec with the alerts an operator needs, each with a severity and a summary', () => {
    new PrometheusRule({ metadata: { name: 'channel-inspector' }, spec: rules as never }).validate()
    expect(alerts.map((a) => a.alert).sort()).toEqual([
      'ChannelRunwayLow',
      'IndexerLagHigh',
      'IndexerNoLeader',
      'PaymentRefusalSpike',
      'PaymentServer5xx',
      'RunnerFailures',
    ])
    for (const alert of alerts) {
      expect(alert, alert.alert as string).toMatchObject({
        labels: { severity: expect.stringMatching(/^(warning|critical)$/) },
        annotations: { summary: expect.any(String), description: expect.any(String) },
      })
    }
    expect(alerts.find((a) => a.alert === 'IndexerNoLeader')).toMatchObject({
      expr: expect.stringContaining('max(indexer_leader)'),
      for: '1m',
    })
  })

  it('every metric a panel, a variable or a rule reads is exported by the Payment Server or the indexer', async () => {
    const response = await fetch(`${app.url}/api/payment/metrics`, {
      headers: { authorization: `Bearer ${app.adminKey}` },
    })
    expect(response.status).toBe(200)
    const exported = exposedNames(await response.text())
    for (const name of exposedNames(await createIndexerMetrics().registry.metrics())) exported.add(name)
    const missing = expressions.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !(name.includes(':') ? recorded.has(name) : exported.has(name)))
        .map((name) => `${where}: ${name}`),
    )
    expect(missing).toEqual([])
    // The names the alerts are about, read for real.
    const read = new Set(expressions.flatMap(({ expr }) => metricNames(expr)))
    for (const name of [
      'indexer_lag_seconds',
      'indexer_leader',
      'payment_runner_actions_total',
      'payment_tokens_verified_total',
      'payment_channel_runway_seconds',
      'payment_request_duration_seconds_count',
      'payment_pending_wei',
      'payment_settled_wei',
    ])
      expect(read).toContain(name)
  })
})
