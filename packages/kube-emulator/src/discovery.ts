/**
 * Discovery documents: /version, /api, /apis, /apis/<group>, group-version resource lists, and
 * the aggregated discovery (apidiscovery.k8s.io/v2) that kubectl 1.32 negotiates first.
 */
import type { JsonObject } from './json.js';
import { groupVersion, type ResourceRegistry, type ResourceType } from './resource-type.js';

export const AGGREGATED_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_DISCOVERY_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/**
 * What /version reports. The emulator follows kube-apiserver 1.33's API, but says 1.32: the
 * version-matching kubectl dispatcher of the build machines then runs kubectl 1.32 against it,
 * the kubectl the project supports (docs/kube-emulator.md, `server-version`).
 */
export const SERVER_VERSION: JsonObject = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-ecs-role-operator-emulator',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string): JsonObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(name: string, versions: string[]): JsonObject {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] ?? null };
}

export function apiGroupList(registry: ResourceRegistry): JsonObject {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry.groups().filter((g) => g.name !== '').map((g) => groupEntry(g.name, g.versions)),
  };
}

export function apiGroup(registry: ResourceRegistry, name: string): JsonObject | undefined {
  const g = registry.groups().find((x) => x.name === name && name !== '');
  if (!g) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g.name, g.versions) };
}

function resourceEntries(t: ResourceType): JsonObject[] {
  const main: JsonObject = {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs,
  };
  if (t.shortNames.length > 0) main['shortNames'] = t.shortNames;
  if (t.categories.length > 0) main['categories'] = t.categories;
  if (t.storageVersionHash) main['storageVersionHash'] = t.storageVersionHash;
  const entries = [main];
  if (t.hasStatus) entries.push({ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] });
  for (const sub of t.subresources ?? []) {
    entries.push({ name: `${t.plural}/${sub.name}`, singularName: '', namespaced: t.namespaced, group: sub.group, version: sub.version, kind: sub.kind, verbs: sub.verbs });
  }
  return entries;
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): JsonObject {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: registry.inGroupVersion(group, version).flatMap(resourceEntries),
  };
}

function discoveryResource(t: ResourceType): JsonObject {
  const entry: JsonObject = {
    resource: t.plural,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames.length > 0) entry['shortNames'] = t.shortNames;
  if (t.categories.length > 0) entry['categories'] = t.categories;
  const subresources: JsonObject[] = [];
  if (t.hasStatus) subresources.push({ subresource: 'status', responseKind: { group: t.group, version: t.version, kind: t.kind }, verbs: ['get', 'patch', 'update'] });
  for (const sub of t.subresources ?? []) subresources.push({ subresource: sub.name, responseKind: { group: sub.group, version: sub.version, kind: sub.kind }, verbs: sub.verbs });
  if (subresources.length > 0) entry['subresources'] = subresources;
  return entry;
}

/** apidiscovery.k8s.io APIGroupDiscoveryList for /api (core) or /apis (everything else). */
export function aggregatedDiscovery(registry: ResourceRegistry, core: boolean, version: 'v2' | 'v2beta1'): JsonObject {
  const groups = registry.groups().filter((g) => (g.name === '') === core);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((g): JsonObject => ({
      metadata: g.name ? { name: g.name, creationTimestamp: null } : { creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: registry.inGroupVersion(g.name, v).map(discoveryResource),
        freshness: 'Current',
      })),
    })),
  };
}

export function allGroupVersions(registry: ResourceRegistry): string[] {
  return [...new Set(registry.all().map((t) => groupVersion(t)))];
}
