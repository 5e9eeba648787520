/**
 * The defaults kube-apiserver gives a pod template's spec (core/v1 SetDefaults_PodSpec and what
 * hangs off it): DNS and restart policy, scheduler, grace period and security context; per
 * container the image pull policy (Always for `:latest` or no tag), termination message path and
 * policy, port protocols, probe timings, HTTP probe path and scheme, field references' apiVersion,
 * resource quantities rounded up to millis; per volume an emptyDir when no source is set and the
 * default file modes. Pod-only defaults (enableServiceLinks, requests from limits) are not here:
 * the real server applies them to Pods, not to templates.
 */
import { canonicalQuantity } from '../go-types/quantity.js';
import { childObject, isJsonObject, type JsonObject, type JsonValue } from '../json.js';

function objects(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function setIfEmpty(obj: JsonObject, key: string, value: JsonValue): void {
  if (obj[key] === undefined || obj[key] === '' || obj[key] === null) obj[key] = value;
}

function setIfZero(obj: JsonObject, key: string, value: number): void {
  if (obj[key] === undefined || obj[key] === 0 || obj[key] === null) obj[key] = value;
}

/** The tag `parsers.ParseImageName` finds: `latest` when the image names neither tag nor digest. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

function fieldRefDefaults(ref: JsonValue | undefined): void {
  if (isJsonObject(ref)) setIfEmpty(ref, 'apiVersion', 'v1');
}

function httpGetDefaults(action: JsonValue | undefined): void {
  if (!isJsonObject(action)) return;
  setIfEmpty(action, 'path', '/');
  setIfEmpty(action, 'scheme', 'HTTP');
}

function probeDefaults(probe: JsonValue | undefined): void {
  if (!isJsonObject(probe)) return;
  setIfZero(probe, 'timeoutSeconds', 1);
  setIfZero(probe, 'periodSeconds', 10);
  setIfZero(probe, 'successThreshold', 1);
  setIfZero(probe, 'failureThreshold', 3);
  httpGetDefaults(probe['httpGet']);
  if (isJsonObject(probe['grpc']) && probe['grpc']['service'] === undefined) probe['grpc']['service'] = '';
}

/** Rounds every quantity of a resource list up to millis (1.0001 becomes 1001m). */
function resourceListDefaults(list: JsonValue | undefined): void {
  if (!isJsonObject(list)) return;
  for (const [name, value] of Object.entries(list)) {
    if (typeof value !== 'string') continue;
    const milli = /^(\d+)n$/.exec(value) ?? /^(\d+)u$/.exec(value);
    if (milli) {
      const perMilli = value.endsWith('n') ? 1_000_000 : 1_000;
      list[name] = canonicalQuantity(`${Math.ceil(Number(milli[1]) / perMilli)}m`);
    }
  }
}

export function containerDefaults(container: JsonObject): void {
  if (!container['imagePullPolicy']) {
    container['imagePullPolicy'] = imageTag(typeof container['image'] === 'string' ? container['image'] : '') === 'latest' ? 'Always' : 'IfNotPresent';
  }
  setIfEmpty(container, 'terminationMessagePath', '/dev/termination-log');
  setIfEmpty(container, 'terminationMessagePolicy', 'File');
  for (const port of objects(container['ports'])) setIfEmpty(port, 'protocol', 'TCP');
  for (const env of objects(container['env'])) if (isJsonObject(env['valueFrom'])) fieldRefDefaults(env['valueFrom']['fieldRef']);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) probeDefaults(container[probe]);
  const lifecycle = container['lifecycle'];
  if (isJsonObject(lifecycle)) for (const hook of ['postStart', 'preStop']) if (isJsonObject(lifecycle[hook])) httpGetDefaults(lifecycle[hook]['httpGet']);
  const resources = container['resources'];
  if (isJsonObject(resources)) {
    resourceListDefaults(resources['limits']);
    resourceListDefaults(resources['requests']);
  }
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

function volumeDefaults(volume: JsonObject): void {
  if (!VOLUME_SOURCES.some((s) => volume[s] !== undefined && volume[s] !== null)) volume['emptyDir'] = {};
  if (isJsonObject(volume['hostPath']) && volume['hostPath']['type'] === undefined) volume['hostPath']['type'] = '';
  for (const source of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const s = volume[source];
    if (isJsonObject(s) && (s['defaultMode'] === undefined || s['defaultMode'] === null)) s['defaultMode'] = 420;
  }
  if (isJsonObject(volume['downwardAPI'])) for (const item of objects(volume['downwardAPI']['items'])) fieldRefDefaults(item['fieldRef']);
  if (isJsonObject(volume['projected'])) {
    for (const source of objects(volume['projected']['sources'])) {
      if (isJsonObject(source['downwardAPI'])) for (const item of objects(source['downwardAPI']['items'])) fieldRefDefaults(item['fieldRef']);
      const token = source['serviceAccountToken'];
      if (isJsonObject(token) && (token['expirationSeconds'] === undefined || token['expirationSeconds'] === null)) token['expirationSeconds'] = 3600;
    }
  }
}

export function podSpecDefaults(spec: JsonObject): void {
  // v1 conversion keeps the deprecated serviceAccount and serviceAccountName in step.
  if (!spec['serviceAccountName'] && typeof spec['serviceAccount'] === 'string') spec['serviceAccountName'] = spec['serviceAccount'];
  if (typeof spec['serviceAccountName'] === 'string' && spec['serviceAccountName'] !== '') spec['serviceAccount'] = spec['serviceAccountName'];
  setIfEmpty(spec, 'dnsPolicy', 'ClusterFirst');
  setIfEmpty(spec, 'restartPolicy', 'Always');
  if (!isJsonObject(spec['securityContext'])) spec['securityContext'] = {};
  if (spec['terminationGracePeriodSeconds'] === undefined || spec['terminationGracePeriodSeconds'] === null) spec['terminationGracePeriodSeconds'] = 30;
  setIfEmpty(spec, 'schedulerName', 'default-scheduler');
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) for (const c of objects(spec[list])) containerDefaults(c);
  for (const v of objects(spec['volumes'])) volumeDefaults(v);
  if (spec['hostNetwork'] === true) {
    for (const list of ['containers', 'initContainers']) {
      for (const c of objects(spec[list])) for (const p of objects(c['ports'])) if (!p['hostPort']) p['hostPort'] = p['containerPort'] ?? 0;
    }
  }
}

/** Defaults of a pod template (`spec.template` of workloads). */
export function podTemplateDefaults(template: JsonObject): void {
  podSpecDefaults(childObject(template, 'spec'));
}
