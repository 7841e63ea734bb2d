/**
 * A small kustomize renderer for the deployment tests (deploy/kubernetes.test.ts), since
 * neither a kustomize binary nor `kubectl kustomize` can be counted on where the tests run. It
 * implements only what deploy/kubernetes/ uses, and refuses anything else by name, so an
 * overlay cannot silently render differently here than under kustomize: `resources` (files and
 * directories), `namespace`, `images`, `replicas`, `patches` (strategic-merge files), and
 * `configMapGenerator` / `secretGenerator` (literals and files) with name hashes disabled.
 * Where kubectl is installed, the tests compare its output with this one's.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { readYamlDocuments } from './testing'

/** A manifest's value: the schemas (kubernetes-models) check manifests, not TypeScript types. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Manifest = any

/** One rendered Kubernetes object. */
export type K8sObject = {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string> }
  [field: string]: Manifest
}

type Generator = { name: string; literals?: string[]; files?: string[]; behavior?: string }
type Kustomization = {
  resources?: string[]
  namespace?: string
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[]
  replicas?: { name: string; count: number }[]
  patches?: { path?: string; patch?: string; target?: unknown }[]
  configMapGenerator?: Generator[]
  secretGenerator?: Generator[]
  generatorOptions?: { disableNameSuffixHash?: boolean }
}

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'images',
  'replicas',
  'patches',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
])

/** Lists merged item by item under strategic merge, by this key (Kubernetes' patchMergeKey). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
}

/** Strategic merge of `patch` into `base`: maps merge, keyed lists merge by key, other lists are replaced, null deletes. */
export function strategicMerge(base: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field]
    if (!key || !Array.isArray(base)) return patch
    const merged = [...base]
    for (const item of patch) {
      const at = merged.findIndex((b) => b?.[key] === item?.[key])
      if (at >= 0) merged[at] = strategicMerge(merged[at], item)
      else merged.push(item)
    }
    return merged
  }
  if (patch && typeof patch === 'object' && base && typeof base === 'object' && !Array.isArray(base)) {
    const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) }
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete merged[k]
      else merged[k] = strategicMerge(merged[k], v, k)
    }
    return merged
  }
  return patch
}

/** The containers of an object's pod template (Deployment, StatefulSet, Job), else none. */
export function podSpecOf(object: K8sObject): Record<string, Manifest> | undefined {
  return object.spec?.template?.spec
}

function generate(kind: 'ConfigMap' | 'Secret', generator: Generator, dir: string): K8sObject {
  if (generator.behavior && generator.behavior !== 'create') {
    throw new Error(
      `${kind} generator ${generator.name}: behavior ${generator.behavior} is not supported by this renderer (the manifests do not use it)`,
    )
  }
  const entries: [string, string][] = []
  for (const literal of generator.literals ?? []) {
    const at = literal.indexOf('=')
    entries.push([literal.slice(0, at), literal.slice(at + 1)])
  }
  for (const file of generator.files ?? []) {
    const [key, source] = file.includes('=')
      ? (file.split('=', 2) as [string, string])
      : [path.basename(file), file]
    entries.push([key, readFileSync(path.join(dir, source), 'utf8')])
  }
  const metadata = { name: generator.name }
  if (kind === 'ConfigMap') return { apiVersion: 'v1', kind, metadata, data: Object.fromEntries(entries) }
  const data = Object.fromEntries(entries.map(([k, v]) => [k, Buffer.from(v).toString('base64')]))
  return { apiVersion: 'v1', kind, metadata, type: 'Opaque', data }
}

/** Renders the kustomization in `dir` into its objects. */
export function renderKustomization(dir: string): K8sObject[] {
  const file = path.join(dir, 'kustomization.yaml')
  const k = readYamlDocuments(file)[0] as Kustomization
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key))
  if (unsupported.length > 0)
    throw new Error(
      `${file}: ${unsupported.join(', ')} not supported by this renderer (the manifests do not use them)`,
    )
  const generators = [...(k.configMapGenerator ?? []), ...(k.secretGenerator ?? [])]
  if (generators.length > 0 && !k.generatorOptions?.disableNameSuffixHash) {
    throw new Error(
      `${file}: generated names need disableNameSuffixHash (this renderer computes no name hashes)`,
    )
  }

  let objects: K8sObject[] = []
  for (const resource of k.resources ?? []) {
    const target = path.join(dir, resource)
    if (!existsSync(target)) throw new Error(`${file}: resource ${resource} does not exist`)
    objects.push(
      ...(statSync(target).isDirectory()
        ? renderKustomization(target)
        : (readYamlDocuments(target) as K8sObject[])),
    )
  }
  for (const g of k.configMapGenerator ?? []) objects.push(generate('ConfigMap', g, dir))
  for (const g of k.secretGenerator ?? []) objects.push(generate('Secret', g, dir))

  for (const entry of k.patches ?? []) {
    if (!entry.path || entry.patch || entry.target) {
      throw new Error(`${file}: only strategic-merge patches from a file (path:) are implemented`)
    }
    for (const patch of readYamlDocuments(path.join(dir, entry.path)) as K8sObject[]) {
      const at = objects.findIndex((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name)
      if (at < 0)
        throw new Error(`${file}: patch ${entry.path} matches no ${patch.kind} ${patch.metadata.name}`)
      objects[at] = strategicMerge(objects[at], patch) as K8sObject
    }
  }
  for (const { name, count } of k.replicas ?? []) {
    const matched = objects.filter((o) => o.metadata.name === name && 'replicas' in (o.spec ?? {}))
    if (matched.length === 0) throw new Error(`${file}: replicas names ${name}, which has no replicas field`)
    for (const o of matched) o.spec.replicas = count
  }
  for (const image of k.images ?? []) {
    for (const object of objects) {
      const spec = podSpecOf(object)
      for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
        const [ref, tag] = (c.image as string).split(/:(?=[^/]+$)/) as [string, string | undefined]
        if (ref !== image.name) continue
        const newTag = image.digest ? `@${image.digest}` : `:${image.newTag ?? tag ?? 'latest'}`
        c.image = `${image.newName ?? ref}${image.newTag || image.digest || tag ? newTag : ''}`
      }
    }
  }
  if (k.namespace)
    objects = objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: k.namespace } }))
  return objects
}
