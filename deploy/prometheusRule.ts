/**
 * The Kubernetes base's PrometheusRule, made from the observability rules file
 * (deploy/observability/prometheus-rules.yaml, a plain Prometheus rule file whose content is a
 * PrometheusRule's `spec`): kustomize cannot wrap a file into an object, so the wrapped copy
 * is committed beside the other manifests. Regenerate after a rules change:
 * `npx tsx deploy/prometheusRule.ts` (deploy/kubernetes.test.ts fails while it is stale).
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parse, stringify } from 'yaml'

/** The rules file the observability part owns. */
export const RULES_FILE = path.join(import.meta.dirname, 'observability', 'prometheus-rules.yaml')

/** The generated manifest in the Kubernetes base. */
export const PROMETHEUS_RULE_FILE = path.join(
  import.meta.dirname,
  'kubernetes',
  'base',
  'prometheus-rule.yaml',
)

/** The manifest: a PrometheusRule whose spec is the rules file's content. */
export function prometheusRule() {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'channel-inspector', labels: { 'app.kubernetes.io/name': 'channel-inspector' } },
    spec: parse(readFileSync(RULES_FILE, 'utf8')),
  }
}

/** The manifest's text (the repository's formatter then quotes it its own way). */
export function prometheusRuleText(): string {
  const header = [
    '# Generated from deploy/observability/prometheus-rules.yaml by deploy/prometheusRule.ts: do not',
    '# edit; change the rules file and run `npx tsx deploy/prometheusRule.ts`.',
  ]
  return `${header.join('\n')}\n${stringify(prometheusRule(), { lineWidth: 0 })}`
}

if (process.argv[1] === import.meta.filename) {
  writeFileSync(PROMETHEUS_RULE_FILE, prometheusRuleText())
  spawnSync('npx', ['biome', 'format', '--write', PROMETHEUS_RULE_FILE], { stdio: 'inherit' })
  console.log(`wrote ${path.relative(process.cwd(), PROMETHEUS_RULE_FILE)}`)
}
