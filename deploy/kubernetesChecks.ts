/**
 * The checks deploy/kubernetes.test.ts runs on a rendered set of objects: schema validation
 * (kubernetes-models), selectors and ports, references to ConfigMaps and Secrets, and the
 * environment a container of the product's image would get.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { type Manifest as Any, type K8sObject, podSpecOf } from './kustomize'
import { ROOT } from './testing'

/** deploy/kubernetes/ */
export const k8sDir = path.join(ROOT, 'deploy', 'kubernetes')

/** The containers of an object's pod template. */
export function containersOf(object: K8sObject): Any[] {
  return podSpecOf(object)?.containers ?? []
}

/** The product's image, whatever registry and tag an overlay gives it. */
const OUR_IMAGE = /(^|\/)channel-inspector(:[^/]+|@sha256:[0-9a-f]+)?$/

/** Every container that runs the product's image, with its object. */
export function ourContainers(objects: K8sObject[]): { object: K8sObject; container: Any }[] {
  return objects.flatMap((object) =>
    containersOf(object)
      .filter((c) => OUR_IMAGE.test(c.image))
      .map((container) => ({ object, container })),
  )
}

/** The role a container of the image runs (its first argument, deploy/docker/entrypoint.sh). */
export function roleOf(container: Any): string {
  return container.args?.[0]
}

/** Every schema error of `objects`, as `Kind name: message`. */
export async function validationErrors(objects: K8sObject[]): Promise<string[]> {
  const errors: string[] = []
  for (const object of objects) {
    const [group, version] = object.apiVersion.includes('/')
      ? object.apiVersion.split('/')
      : ['', object.apiVersion]
    const module =
      group === 'monitoring.coreos.com'
        ? `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}/${object.kind}`
        : `kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`
    try {
      const Model = (await import(module))[object.kind]
      new Model(object).validate()
    } catch (error) {
      errors.push(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`)
    }
  }
  return errors
}

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.entries(selector).every(([k, v]) => labels?.[k] === v)

function matchesSelector(selector: Any, labels: Record<string, string> | undefined): boolean {
  const byLabels = matches(selector.matchLabels ?? {}, labels)
  const byExpressions = (selector.matchExpressions ?? []).every(
    (e: Any) => e.operator === 'In' && e.values.includes(labels?.[e.key]),
  )
  return byLabels && byExpressions
}

/** Services, disruption budgets, autoscalers, ServiceMonitors and probes that point at nothing. */
export function selectorProblems(objects: K8sObject[]): string[] {
  const problems: string[] = []
  const workloads = objects.filter((o) => podSpecOf(o) && o.kind !== 'Job')
  const podsOf = (select: (labels: Record<string, string>) => boolean) =>
    workloads.filter((w) => select(w.spec.template.metadata?.labels ?? {}))
  const portsOf = (pods: K8sObject[]) => pods.flatMap((w) => containersOf(w).flatMap((c) => c.ports ?? []))
  const services = objects.filter((o) => o.kind === 'Service')

  // The API server refuses a workload whose selector does not select its own pod template.
  for (const workload of objects.filter((o) => podSpecOf(o) && o.spec.selector)) {
    if (!matchesSelector(workload.spec.selector, workload.spec.template.metadata?.labels)) {
      problems.push(
        `${workload.kind} ${workload.metadata.name}: its selector does not match its pod template`,
      )
    }
  }
  for (const service of services) {
    const pods = podsOf((labels) => matches(service.spec.selector, labels))
    if (pods.length === 0) problems.push(`Service ${service.metadata.name} selects no pods`)
    for (const port of service.spec.ports) {
      const declared = portsOf(pods).some(
        (p) => p.name === port.targetPort || p.containerPort === port.targetPort,
      )
      if (!declared)
        problems.push(`Service ${service.metadata.name}: no pod declares port ${port.targetPort}`)
    }
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    if (podsOf((labels) => matchesSelector(pdb.spec.selector, labels)).length === 0) {
      problems.push(`PodDisruptionBudget ${pdb.metadata.name} selects no pods`)
    }
  }
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const { kind, name } = hpa.spec.scaleTargetRef
    if (!objects.some((o) => o.kind === kind && o.metadata.name === name)) {
      problems.push(`HorizontalPodAutoscaler ${hpa.metadata.name} scales ${kind} ${name}, which is not here`)
    }
  }
  for (const monitor of objects.filter((o) => o.kind === 'ServiceMonitor')) {
    const selected = services.filter((s) => matchesSelector(monitor.spec.selector, s.metadata.labels))
    if (selected.length === 0) problems.push(`ServiceMonitor ${monitor.metadata.name} selects no Service`)
    for (const endpoint of monitor.spec.endpoints) {
      if (!selected.some((s) => s.spec.ports.some((p: Any) => p.name === endpoint.port))) {
        problems.push(
          `ServiceMonitor ${monitor.metadata.name}: no selected Service has a port ${endpoint.port}`,
        )
      }
    }
  }
  for (const set of objects.filter((o) => o.kind === 'StatefulSet')) {
    if (!services.some((s) => s.metadata.name === set.spec.serviceName)) {
      problems.push(`StatefulSet ${set.metadata.name}: no Service ${set.spec.serviceName}`)
    }
  }
  for (const object of objects) {
    for (const c of containersOf(object)) {
      for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port
        if (port === undefined) continue
        if (!(c.ports ?? []).some((p: Any) => p.name === port || p.containerPort === port)) {
          problems.push(
            `${object.kind} ${object.metadata.name}: container ${c.name} probes undeclared port ${port}`,
          )
        }
      }
    }
  }
  return problems
}

/** The ConfigMaps and Secrets `objects` name that are not among them, or lack the key named. */
export function referenceProblems(objects: K8sObject[]): string[] {
  const problems: string[] = []
  const check = (where: string, kind: 'ConfigMap' | 'Secret', name: string, key?: string) => {
    const target = objects.find((o) => o.kind === kind && o.metadata.name === name)
    if (!target) problems.push(`${where}: ${kind} ${name} is not in the render`)
    else if (key !== undefined && !(key in (target.data ?? {})))
      problems.push(`${where}: ${kind} ${name} has no key ${key}`)
  }
  for (const object of objects) {
    const where = `${object.kind} ${object.metadata.name}`
    const volumes: Any[] = podSpecOf(object)?.volumes ?? []
    for (const v of volumes) {
      if (v.secret) check(where, 'Secret', v.secret.secretName)
      if (v.configMap) check(where, 'ConfigMap', v.configMap.name)
    }
    for (const c of containersOf(object)) {
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef) check(where, 'ConfigMap', from.configMapRef.name)
        if (from.secretRef) check(where, 'Secret', from.secretRef.name)
      }
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef
        if (ref) check(where, e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name, ref.key)
        // A secret given as a file must be a key of the Secret mounted where it points.
        if (e.name.endsWith('_FILE')) {
          const mount = (c.volumeMounts ?? []).find((m: Any) => e.value.startsWith(`${m.mountPath}/`))
          const volume = volumes.find((v) => v.name === mount?.name)
          if (!volume?.secret) problems.push(`${where}: ${e.name} (${e.value}) is not in a mounted Secret`)
          else check(where, 'Secret', volume.secret.secretName, path.basename(e.value))
        }
      }
    }
    for (const endpoint of object.kind === 'ServiceMonitor' ? object.spec.endpoints : []) {
      const credentials = endpoint.authorization?.credentials
      if (credentials) check(where, 'Secret', credentials.name, credentials.key)
    }
  }
  return problems
}

/** The names of the variables a container gets: its `env` and the keys of its `envFrom` ConfigMaps. */
export function envNamesOf(container: Any, objects: K8sObject[]): string[] {
  const fromMaps = (container.envFrom ?? []).flatMap((from: Any) => {
    const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name)
    return Object.keys(map?.data ?? {})
  })
  return [...(container.env ?? []).map((e: Any) => e.name), ...fromMaps]
}

/**
 * The environment the first container of `workload` (default: the web Deployment) would get,
 * as plain values (downward-API values left out), its mounted Secret's files written into `dir`
 * and its `*_FILE` paths pointed there, so that lib/server/env.ts's parseEnv() reads them as in
 * the pod. `overrides` replace values.
 */
export function configValues(
  objects: K8sObject[],
  dir: string,
  overrides: Record<string, string> = {},
  workload: { kind: string; name: string } = { kind: 'Deployment', name: 'channel-inspector-web' },
) {
  const object = objects.find((o) => o.kind === workload.kind && o.metadata.name === workload.name)
  if (!object) throw new Error(`no ${workload.kind} ${workload.name} in the render`)
  const container = containersOf(object)[0]
  const env: Record<string, string> = {}
  for (const from of container.envFrom ?? []) {
    const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name)
    Object.assign(env, map?.data)
  }
  const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'channel-inspector-secrets')
  for (const [key, value] of Object.entries(secret?.data ?? {})) {
    writeFileSync(path.join(dir, key), Buffer.from(String(value), 'base64'))
  }
  for (const e of container.env ?? []) {
    if (e.value === undefined) continue
    env[e.name] = e.name.endsWith('_FILE') ? path.join(dir, path.basename(e.value)) : e.value
  }
  return { ...env, ...overrides }
}
