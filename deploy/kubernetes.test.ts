/**
 * deploy/kubernetes/, checked without a cluster: the base and each overlay rendered (by
 * deploy/kustomize.ts, and compared with `kubectl kustomize` where kubectl is installed), every
 * object validated against the Kubernetes and Prometheus Operator schemas (kubernetes-models),
 * and their references to each other, to the image and to the product's settings checked.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import { parseEnv } from '../lib/server/env'
import {
  configValues,
  containersOf,
  envNamesOf,
  k8sDir,
  ourContainers,
  referenceProblems,
  roleOf,
  selectorProblems,
  validationErrors,
} from './kubernetesChecks'
import { type K8sObject, renderKustomization, strategicMerge } from './kustomize'
import { PROMETHEUS_RULE_FILE, prometheusRule, RULES_FILE } from './prometheusRule'
import { imageEnv, ROLE_SCRIPTS, unreadEnvNames } from './testing'

/** The production overlay, copied beside secret files an operator would write first. */
const productionCopy = mkdtempSync(path.join(tmpdir(), 'k8s-production-'))
cpSync(k8sDir, productionCopy, { recursive: true })
const productionSecrets = {
  'database-url': 'postgresql://channel:pw@db.internal:5432/channel?sslmode=require',
  'rpc-url': 'https://eth-mainnet.example.com/v2/key',
  'payment-admin-key': 'a'.repeat(48),
  'payment-keystore-secret': 'ab'.repeat(32),
}
for (const [name, value] of Object.entries(productionSecrets)) {
  writeFileSync(path.join(productionCopy, 'overlays/production/secrets', name), `${value}\n`)
}
afterAll(() => rmSync(productionCopy, { recursive: true, force: true }))

const renders: Record<string, { dir: string; objects: K8sObject[] }> = {
  base: { dir: path.join(k8sDir, 'base'), objects: renderKustomization(path.join(k8sDir, 'base')) },
  production: {
    dir: path.join(productionCopy, 'overlays/production'),
    objects: renderKustomization(path.join(productionCopy, 'overlays/production')),
  },
  demo: {
    dir: path.join(k8sDir, 'overlays/demo'),
    objects: renderKustomization(path.join(k8sDir, 'overlays/demo')),
  },
}
const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as K8sObject
const image = imageEnv()

describe('deploy/kustomize.ts', () => {
  it('strategicMerge() merges containers by name and env by name, and replaces other lists', () => {
    const base = {
      containers: [{ name: 'a', args: ['x'], env: [{ name: 'A', value: '1' }] }],
      tolerations: [1],
    }
    const patch = {
      containers: [{ name: 'a', args: ['y'], env: [{ name: 'B', value: '2' }] }],
      tolerations: [2],
    }
    expect(strategicMerge(base, patch)).toEqual({
      containers: [
        {
          name: 'a',
          args: ['y'],
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ],
      tolerations: [2],
    })
  })

  it('refuses a kustomization field it does not implement, by name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'k8s-unsupported-'))
    try {
      writeFileSync(
        path.join(dir, 'kustomization.yaml'),
        'resources: []\ncommonLabels: { a: b }\nnamePrefix: x-\n',
      )
      expect(() => renderKustomization(dir)).toThrow(
        'commonLabels, namePrefix not supported by this renderer (the manifests do not use them)',
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  const kubectl = spawnSync('kubectl', ['kustomize', '--help'], { encoding: 'utf8' })
  it.skipIf(kubectl.status !== 0)(
    'renders every overlay as `kubectl kustomize` does (where kubectl is installed)',
    () => {
      // Secret data is base64 either way; kustomize folds long values across lines.
      const normal = (objects: K8sObject[]) =>
        Object.fromEntries(
          objects.map((o) => [
            `${o.kind}/${o.metadata.name}`,
            o.kind === 'Secret'
              ? {
                  ...o,
                  data: Object.fromEntries(
                    Object.entries(o.data).map(([k, v]) => [k, String(v).replace(/\s/g, '')]),
                  ),
                }
              : o,
          ]),
        )
      for (const [name, render] of Object.entries(renders)) {
        const output = execFileSync('kubectl', ['kustomize', render.dir], {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        })
        const theirs = parseAllDocuments(output).map((d) => d.toJS()) as K8sObject[]
        expect(normal(render.objects), name).toEqual(normal(theirs))
      }
    },
  )
})

describe.each(Object.keys(renders))('deploy/kubernetes %s', (name) => {
  const { objects } = renders[name] as { objects: K8sObject[] }

  it('validates every object against the Kubernetes and Prometheus Operator schemas', async () => {
    expect(await validationErrors(objects)).toEqual([])
  })

  it('selects pods that exist, on ports they declare (Services, PDBs, HPA, ServiceMonitors, probes)', () => {
    expect(selectorProblems(objects)).toEqual([])
  })

  it('names only ConfigMaps, Secrets and keys in the same render (the base leaves the Secret to overlays)', () => {
    const problems = referenceProblems(objects)
    if (name === 'base') {
      expect(problems.length).toBeGreaterThan(0)
      expect(problems.every((p) => p.includes('Secret channel-inspector-secrets'))).toBe(true)
    } else expect(problems).toEqual([])
  })

  it('sets only environment variables the product reads', () => {
    const names = ourContainers(objects).flatMap(({ container }) => envNamesOf(container, objects))
    expect(names).toContain('DATABASE_URL_FILE')
    expect(unreadEnvNames(names)).toEqual([])
  })

  it("runs every role from one image, non-root on a read-only root with a writable /tmp, with the image's probe ports", () => {
    const images = new Set(ourContainers(objects).map(({ container }) => container.image))
    expect(images.size).toBe(1)
    for (const { object, container } of ourContainers(objects)) {
      const where = `${object.kind} ${object.metadata.name}`
      const pod = object.spec.template.spec
      expect(Object.keys(ROLE_SCRIPTS), where).toContain(roleOf(container))
      expect(pod.securityContext, where).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 })
      expect(container.securityContext, where).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      })
      expect(
        container.volumeMounts.map((m: { mountPath: string }) => m.mountPath),
        where,
      ).toContain('/tmp')
      expect(container.resources.requests, where).toHaveProperty('memory')
      expect(container.resources.limits, where).toHaveProperty('memory')
    }
    const ports = (deployment: string) =>
      containersOf(find(objects, 'Deployment', deployment))[0]?.ports.map(
        (p: { containerPort: number }) => p.containerPort,
      )
    expect(ports('channel-inspector-web')).toEqual([Number(image.PORT)])
    expect(ports('channel-inspector-indexer')).toEqual([Number(image.INDEXER_PORT)])
    expect(ports('channel-inspector-runner')).toEqual([Number(image.RUNNER_PORT)])
  })

  it('probes web on /api/livez and /api/readyz, the indexer and runner on /livez and /readyz', () => {
    const probes = (deployment: string) => {
      const c = containersOf(find(objects, 'Deployment', deployment))[0]
      return [c.startupProbe, c.livenessProbe, c.readinessProbe].map((p) => p?.httpGet?.path)
    }
    expect(probes('channel-inspector-web')).toEqual(['/api/livez', '/api/livez', '/api/readyz'])
    expect(probes('channel-inspector-indexer')).toEqual(['/livez', '/livez', '/readyz'])
    expect(probes('channel-inspector-runner')).toEqual(['/livez', '/livez', '/readyz'])
    // /readyz answers within its own 3 s bound: a kubelet timeout above it sees that answer.
    for (const { container } of ourContainers(objects).filter(({ object }) => object.kind === 'Deployment')) {
      expect(container.readinessProbe.timeoutSeconds).toBeGreaterThan(3)
    }
  })

  it('scales web by CPU without a replica count of its own; runs two indexers and runners, one web runner off', () => {
    const web = find(objects, 'Deployment', 'channel-inspector-web')
    expect(web.spec.replicas).toBeUndefined()
    expect(web.spec.strategy.rollingUpdate.maxUnavailable).toBe(0)
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'channel-inspector-web')
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'channel-inspector-web',
    })
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2)
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu')
    expect(find(objects, 'Deployment', 'channel-inspector-indexer').spec.replicas).toBe(2)
    const env = containersOf(web)[0].env
    expect(env).toContainEqual({ name: 'PAYMENT_RUNNER', value: 'off' })
    const indexerEnv = containersOf(find(objects, 'Deployment', 'channel-inspector-indexer'))[0].env
    expect(indexerEnv).toContainEqual({
      name: 'INSTANCE_ID',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    })
  })

  it('migrates in a Job that runs the migrate role once', () => {
    const job = find(objects, 'Job', 'channel-inspector-migrate')
    expect(containersOf(job).map(roleOf)).toEqual(['migrate'])
    expect(job.spec.template.spec.restartPolicy).toBe('Never')
    expect(job.spec.backoffLimit).toBeGreaterThan(0)
  })

  it("scrapes web's metrics with the admin key and the indexer's and runner's on their probe port", () => {
    const web = find(objects, 'ServiceMonitor', 'channel-inspector-web')
    expect(web.spec.endpoints).toEqual([
      expect.objectContaining({
        port: 'http',
        path: '/api/payment/metrics',
        authorization: {
          type: 'Bearer',
          credentials: { name: 'channel-inspector-secrets', key: 'payment-admin-key' },
        },
      }),
    ])
    const workers = find(objects, 'ServiceMonitor', 'channel-inspector-workers')
    expect(workers.spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })])
  })
})

describe('deploy/kubernetesChecks.ts', () => {
  it('catches a schema error, a selector or probe port that matches nothing, a missing key, an unread variable', async () => {
    const objects = structuredClone((renders.demo as { objects: K8sObject[] }).objects)
    const web = find(objects, 'Deployment', 'channel-inspector-web')
    const container = containersOf(web)[0]
    container.ports[0].containerPort = '3000'
    container.readinessProbe.httpGet.port = 'htp'
    container.env.find((e: { name: string }) => e.name === 'RPC_URL_FILE').value =
      '/run/secrets/channel-inspector/rpc'
    container.env.push({ name: 'PAYMENT_RUNER', value: 'off' })
    find(objects, 'Service', 'channel-inspector-indexer').spec.selector['app.kubernetes.io/component'] =
      'indexr'
    find(objects, 'Deployment', 'channel-inspector-runner').spec.selector.matchLabels[
      'app.kubernetes.io/name'
    ] = 'x'
    expect(await validationErrors(objects)).toEqual([
      'Deployment channel-inspector-web: data/spec/template/spec/containers/0/ports/0/containerPort must be integer',
    ])
    expect(selectorProblems(objects)).toEqual([
      'Deployment channel-inspector-runner: its selector does not match its pod template',
      'Service channel-inspector-indexer selects no pods',
      'Service channel-inspector-indexer: no pod declares port metrics',
      'Deployment channel-inspector-web: container web probes undeclared port htp',
    ])
    expect(referenceProblems(objects)).toEqual([
      'Deployment channel-inspector-web: Secret channel-inspector-secrets has no key rpc',
    ])
    expect(unreadEnvNames(envNamesOf(container, objects))).toEqual(['PAYMENT_RUNER'])
  })
})

describe('deploy/kubernetes/base/prometheus-rule.yaml', () => {
  it('is the observability rules file as a PrometheusRule (regenerate: npx tsx deploy/prometheusRule.ts)', () => {
    expect(parse(readFileSync(PROMETHEUS_RULE_FILE, 'utf8'))).toEqual(prometheusRule())
    const rule = find(
      (renders.production as { objects: K8sObject[] }).objects,
      'PrometheusRule',
      'channel-inspector',
    )
    expect(rule.spec).toEqual(parse(readFileSync(RULES_FILE, 'utf8')))
  })
})

describe('deploy/kubernetes overlays', () => {
  it('production: your image and tag everywhere, and placeholders that stop a start until replaced', () => {
    const { objects } = renders.production as { objects: K8sObject[] }
    const images = new Set(ourContainers(objects).map(({ container }) => container.image))
    expect(images).toEqual(new Set(['registry.example.com/payments/channel-inspector:0.1.0']))
    expect(find(objects, 'HorizontalPodAutoscaler', 'channel-inspector-web').spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 20,
    })
    expect(() => parseEnv(configValues(objects, productionCopy))).toThrow(
      /FACTORY_ADDRESS: must be a 0x-prefixed 20-byte address[\s\S]*FACTORY_BLOCK/,
    )
  })

  it('production: the Secret holds the files an operator wrote, which the product reads as *_FILE', () => {
    const { objects } = renders.production as { objects: K8sObject[] }
    const env = configValues(objects, productionCopy, {
      FACTORY_ADDRESS: `0x${'1'.repeat(40)}`,
      FACTORY_BLOCK: '1',
    })
    const parsed = parseEnv(env)
    expect(parsed.DATABASE_URL).toBe(productionSecrets['database-url'])
    expect(parsed.RPC_URL).toBe(productionSecrets['rpc-url'])
    expect(parsed.PAYMENT_KEYSTORE_SECRET).toBe(productionSecrets['payment-keystore-secret'])
  })

  it("demo: a complete environment the product accepts, on the demo's own Postgres and anvil", () => {
    const { objects } = renders.demo as { objects: K8sObject[] }
    const dir = mkdtempSync(path.join(tmpdir(), 'k8s-demo-'))
    try {
      const parsed = parseEnv(configValues(objects, dir))
      expect(parsed.DATABASE_URL).toMatch(/@channel-inspector-postgres:5432\//)
      expect(parsed.RPC_URL).toBe('http://channel-inspector-anvil:8545')
      expect(
        find(objects, 'StatefulSet', 'channel-inspector-postgres').spec.volumeClaimTemplates,
      ).toHaveLength(1)
      expect(containersOf(find(objects, 'Deployment', 'channel-inspector-anvil'))[0].args).toContain('--init')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
