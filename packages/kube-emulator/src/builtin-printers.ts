/**
 * The Table columns kube-apiserver prints for the built-in kinds (its internal printers): the
 * same names, order, priorities (priority 1 shows with `-o wide`) and cell values, computed from
 * the objects: ages as strings (`<unknown>` when unset), `<none>`/`<pending>` placeholders,
 * Service ports as `80/TCP` or `80:30080/TCP`, Deployment `READY` as ready/desired, Events
 * without a leading NAME column (it is the last, wide-only column).
 */
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { PrinterColumn } from './resource-type.js';
import { humanDuration } from './table.js';

function at(obj: JsonValue | undefined, ...keys: string[]): JsonValue | undefined {
  let cur = obj;
  for (const k of keys) {
    if (!isJsonObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function text(obj: JsonValue | undefined, ...keys: string[]): string {
  const v = at(obj, ...keys);
  return typeof v === 'string' ? v : '';
}

function int(obj: JsonValue | undefined, ...keys: string[]): number {
  const v = at(obj, ...keys);
  return typeof v === 'number' ? v : 0;
}

function list(obj: JsonValue | undefined, ...keys: string[]): JsonValue[] {
  const v = at(obj, ...keys);
  return Array.isArray(v) ? v : [];
}

function size(obj: JsonValue | undefined, ...keys: string[]): number {
  const v = at(obj, ...keys);
  return isJsonObject(v) ? Object.keys(v).length : 0;
}

/** translateTimestampSince: an age, or `<unknown>` for a zero time. */
export function since(timestamp: string, now = Date.now()): string {
  const t = Date.parse(timestamp);
  return timestamp === '' || Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/** labels.FormatLabels / a label selector's String(): `a=b,c=d` sorted by key, `<none>` when empty. */
function formatLabels(labels: JsonValue | undefined): string {
  if (!isJsonObject(labels) || Object.keys(labels).length === 0) return '<none>';
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${String(labels[k])}`)
    .join(',');
}

/** metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key. */
export function labelSelectorString(selector: JsonValue | undefined): string {
  if (!isJsonObject(selector)) return '';
  const parts: { key: string; text: string }[] = [];
  const matchLabels = selector['matchLabels'];
  if (isJsonObject(matchLabels)) for (const [k, v] of Object.entries(matchLabels)) parts.push({ key: k, text: `${k}=${String(v)}` });
  for (const e of list(selector, 'matchExpressions')) {
    const key = text(e, 'key');
    const values = list(e, 'values').map(String).sort();
    switch (text(e, 'operator')) {
      case 'In':
        parts.push({ key, text: `${key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        parts.push({ key, text: `${key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        parts.push({ key, text: key });
        break;
      case 'DoesNotExist':
        parts.push({ key, text: `!${key}` });
        break;
    }
  }
  parts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return parts.map((p) => p.text).join(',');
}

const described = (name: string, description: string, cell: (o: JsonObject) => JsonValue, priority = 0, format = ''): PrinterColumn => ({
  name,
  type: 'string',
  description,
  ...(format ? { format } : {}),
  priority,
  cell,
});

export const BUILTIN_AGE: PrinterColumn = described('Age', 'How long ago the object was created.', (o) => since(text(o, 'metadata', 'creationTimestamp')));

export const CREATED_AT: PrinterColumn = {
  name: 'Created At',
  type: 'date',
  description: 'When the object was created.',
  cell: (o) => at(o, 'metadata', 'creationTimestamp') ?? null,
};

export const NAMESPACE_COLUMNS: PrinterColumn[] = [described('Status', 'The status of the namespace', (o) => text(o, 'status', 'phase')), BUILTIN_AGE];

export const CONFIGMAP_COLUMNS: PrinterColumn[] = [described('Data', 'Number of data and binaryData entries.', (o) => size(o, 'data') + size(o, 'binaryData')), BUILTIN_AGE];

export const SECRET_COLUMNS: PrinterColumn[] = [
  described('Type', 'The type of the secret.', (o) => text(o, 'type')),
  described('Data', 'Number of data entries.', (o) => size(o, 'data')),
  BUILTIN_AGE,
];

export const SERVICE_ACCOUNT_COLUMNS: PrinterColumn[] = [described('Secrets', 'Number of secrets listed by the ServiceAccount.', (o) => list(o, 'secrets').length), BUILTIN_AGE];

function externalIP(service: JsonObject): string {
  const externalIPs = list(service, 'spec', 'externalIPs').map(String);
  switch (text(service, 'spec', 'type')) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = list(service, 'status', 'loadBalancer', 'ingress').map((i) => text(i, 'ip') || text(i, 'hostname')).filter((s) => s !== '');
      const all = [...ingress, ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return text(service, 'spec', 'externalName');
    default:
      return '<unknown>';
  }
}

function ports(service: JsonObject): string {
  const pieces = list(service, 'spec', 'ports').map((p) => {
    const nodePort = int(p, 'nodePort');
    return nodePort > 0 ? `${int(p, 'port')}:${nodePort}/${text(p, 'protocol')}` : `${int(p, 'port')}/${text(p, 'protocol')}`;
  });
  return pieces.length > 0 ? pieces.join(',') : '<none>';
}

export const SERVICE_COLUMNS: PrinterColumn[] = [
  described('Type', 'The type of the service.', (o) => text(o, 'spec', 'type')),
  described('Cluster-IP', 'The cluster IP of the service.', (o) => (list(o, 'spec', 'clusterIPs')[0] as string | undefined) ?? '<none>'),
  described('External-IP', 'External addresses of the service.', externalIP),
  described('Port(s)', 'The ports the service exposes.', ports),
  BUILTIN_AGE,
  described('Selector', 'The label selector of the service.', (o) => formatLabels(at(o, 'spec', 'selector')), 1),
];

const containersOf = (o: JsonObject): JsonValue[] => list(o, 'spec', 'template', 'spec', 'containers');

export const DEPLOYMENT_COLUMNS: PrinterColumn[] = [
  described('Ready', 'Number of the pod with ready state', (o) => `${int(o, 'status', 'readyReplicas')}/${int(o, 'spec', 'replicas')}`),
  described('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', (o) => int(o, 'status', 'updatedReplicas')),
  described('Available', 'Total number of available pods targeted by this deployment.', (o) => int(o, 'status', 'availableReplicas')),
  BUILTIN_AGE,
  described('Containers', 'Names of each container in the template.', (o) => containersOf(o).map((c) => text(c, 'name')).join(','), 1),
  described('Images', 'Images referenced by each container in the template.', (o) => containersOf(o).map((c) => text(c, 'image')).join(','), 1),
  described('Selector', 'Label query over the pods of the deployment.', (o) => labelSelectorString(at(o, 'spec', 'selector')), 1),
];

export const LEASE_COLUMNS: PrinterColumn[] = [described('Holder', 'The identity of the holder of the lease.', (o) => text(o, 'spec', 'holderIdentity')), BUILTIN_AGE];

function subjects(binding: JsonObject, kind: string): string {
  return list(binding, 'subjects')
    .filter((s) => text(s, 'kind') === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${text(s, 'namespace')}/${text(s, 'name')}` : text(s, 'name')))
    .join(', ');
}

export const BINDING_COLUMNS: PrinterColumn[] = [
  described('Role', 'The role the binding grants.', (o) => `${text(o, 'roleRef', 'kind')}/${text(o, 'roleRef', 'name')}`),
  BUILTIN_AGE,
  described('Users', 'Users in the roleBinding', (o) => subjects(o, 'User'), 1),
  described('Groups', 'Groups in the roleBinding', (o) => subjects(o, 'Group'), 1),
  described('ServiceAccounts', 'ServiceAccounts in the roleBinding', (o) => subjects(o, 'ServiceAccount'), 1),
];

/** Events in the core/v1 shape. */
function eventSource(o: JsonObject): string {
  const component = text(o, 'source', 'component') || text(o, 'reportingComponent');
  const host = text(o, 'source', 'host') || text(o, 'reportingInstance');
  return host ? `${component}, ${host}` : component;
}

function firstSeen(o: JsonObject): string {
  return text(o, 'firstTimestamp') ? since(text(o, 'firstTimestamp')) : since(text(o, 'eventTime'));
}

function lastSeen(o: JsonObject): string {
  if (isJsonObject(o['series'])) return since(text(o, 'series', 'lastObservedTime'));
  return text(o, 'lastTimestamp') ? since(text(o, 'lastTimestamp')) : firstSeen(o);
}

function eventCount(o: JsonObject): number {
  if (isJsonObject(o['series'])) return int(o, 'series', 'count');
  return int(o, 'count') || 1;
}

function eventTarget(o: JsonObject): string {
  const kind = text(o, 'involvedObject', 'kind').toLowerCase();
  const name = text(o, 'involvedObject', 'name');
  return name ? `${kind}/${name}` : kind;
}

/** Event columns over the core/v1 shape; `toCore` converts other versions' objects first. */
export function eventColumns(toCore: (obj: JsonObject) => JsonObject = (o) => o): PrinterColumn[] {
  const on = (f: (o: JsonObject) => JsonValue) => (o: JsonObject) => f(toCore(o));
  return [
    described('Last Seen', 'When the event was last observed.', on(lastSeen)),
    described('Type', 'Type of this event (Normal, Warning).', on((o) => text(o, 'type'))),
    described('Reason', 'Why the event happened.', on((o) => text(o, 'reason'))),
    described('Object', 'The object the event is about.', on(eventTarget)),
    described('Subobject', 'The part of the object the event is about.', on((o) => text(o, 'involvedObject', 'fieldPath')), 1),
    described('Source', 'The component that reported the event.', on(eventSource), 1),
    described('Message', 'A human-readable description of the event.', on((o) => text(o, 'message').trim())),
    described('First Seen', 'When the event was first observed.', on(firstSeen), 1),
    described('Count', 'How many times the event happened.', on(eventCount), 1),
    described('Name', 'Name of the Event.', on((o) => text(o, 'metadata', 'name')), 1, 'name'),
  ];
}
