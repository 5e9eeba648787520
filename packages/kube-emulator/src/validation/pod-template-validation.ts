/**
 * The common part of pod template validation (core/validation ValidatePodTemplateSpec and
 * ValidatePodSpec): template labels, at least one container, container names (unique RFC 1123
 * labels) and images, ports, environment variable names, volume names and the volumes mounts
 * refer to, restart and DNS policies, the service account name. The rest of the real PodSpec
 * validation (security contexts, affinity, probes, resources, ...) is not done.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { dns1123Label, dns1123Subdomain, labelValue, qualifiedName } from '../object-meta-validation.js';
import type { FieldError } from '../status.js';
import { duplicate, invalid, notFound, notSupported, portNameErrors, portNumberErrors, required, SUPPORTED_PROTOCOLS } from './field-errors.js';

const objects = (v: JsonValue | undefined): JsonObject[] => (Array.isArray(v) ? v.filter(isJsonObject) : []);
const text = (o: JsonObject, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function containerErrors(c: JsonObject, field: string, volumes: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  const name = text(c, 'name');
  if (!name) errors.push(required(`${field}.name`));
  else for (const m of dns1123Label(name)) errors.push(invalid(`${field}.name`, JSON.stringify(name), m));
  if (!text(c, 'image')) errors.push(required(`${field}.image`));
  const policy = text(c, 'terminationMessagePolicy');
  if (!policy) errors.push(required(`${field}.terminationMessagePolicy`));
  else if (policy !== 'File' && policy !== 'FallbackToLogsOnError') errors.push(notSupported(`${field}.terminationMessagePolicy`, policy, ['File', 'FallbackToLogsOnError']));
  const portNames = new Set<string>();
  objects(c['ports']).forEach((p, i) => {
    const pf = `${field}.ports[${i}]`;
    const pname = text(p, 'name');
    if (pname) {
      const msgs = portNameErrors(pname);
      if (msgs.length > 0) for (const m of msgs) errors.push(invalid(`${pf}.name`, JSON.stringify(pname), m));
      else if (portNames.has(pname)) errors.push(duplicate(`${pf}.name`, JSON.stringify(pname)));
      else portNames.add(pname);
    }
    const containerPort = typeof p['containerPort'] === 'number' ? p['containerPort'] : 0;
    if (containerPort === 0) errors.push(required(`${pf}.containerPort`));
    else for (const m of portNumberErrors(containerPort)) errors.push(invalid(`${pf}.containerPort`, String(containerPort), m));
    const protocol = text(p, 'protocol');
    if (!protocol) errors.push(required(`${pf}.protocol`));
    else if (!SUPPORTED_PROTOCOLS.includes(protocol)) errors.push(notSupported(`${pf}.protocol`, protocol, SUPPORTED_PROTOCOLS));
  });
  objects(c['env']).forEach((e, i) => {
    const ename = text(e, 'name');
    if (!ename) errors.push(required(`${field}.env[${i}].name`));
    else if (!ENV_NAME.test(ename)) {
      errors.push(invalid(`${field}.env[${i}].name`, JSON.stringify(ename), "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"));
    }
  });
  objects(c['volumeMounts']).forEach((m, i) => {
    const mname = text(m, 'name');
    if (!mname) errors.push(required(`${field}.volumeMounts[${i}].name`));
    else if (!volumes.has(mname)) errors.push(notFound(`${field}.volumeMounts[${i}].name`, JSON.stringify(mname)));
    if (!text(m, 'mountPath')) errors.push(required(`${field}.volumeMounts[${i}].mountPath`));
  });
  const pull = text(c, 'imagePullPolicy');
  if (!pull) errors.push(required(`${field}.imagePullPolicy`));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull)) errors.push(notSupported(`${field}.imagePullPolicy`, pull, ['Always', 'IfNotPresent', 'Never']));
  return errors;
}

export function podTemplateErrors(template: JsonObject, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const meta = isJsonObject(template['metadata']) ? template['metadata'] : {};
  const labels = meta['labels'];
  if (isJsonObject(labels)) {
    for (const [k, v] of Object.entries(labels)) {
      for (const m of qualifiedName(k)) errors.push(invalid(`${field}.metadata.labels`, JSON.stringify(k), m));
      for (const m of labelValue(String(v))) errors.push(invalid(`${field}.metadata.labels`, JSON.stringify(String(v)), m));
    }
  }
  const spec = isJsonObject(template['spec']) ? template['spec'] : {};
  const sf = `${field}.spec`;
  if (spec['terminationGracePeriodSeconds'] === undefined) errors.push(required(`${sf}.terminationGracePeriodSeconds`));
  const volumes = new Set<string>();
  objects(spec['volumes']).forEach((v, i) => {
    const vname = text(v, 'name');
    if (!vname) errors.push(required(`${sf}.volumes[${i}].name`));
    else {
      for (const m of dns1123Label(vname)) errors.push(invalid(`${sf}.volumes[${i}].name`, JSON.stringify(vname), m));
      if (volumes.has(vname)) errors.push(duplicate(`${sf}.volumes[${i}].name`, JSON.stringify(vname)));
      volumes.add(vname);
    }
  });
  const containers = objects(spec['containers']);
  if (containers.length === 0) errors.push(required(`${sf}.containers`));
  const names = new Set<string>();
  containers.forEach((c, i) => {
    errors.push(...containerErrors(c, `${sf}.containers[${i}]`, volumes));
    const name = text(c, 'name');
    if (name && names.has(name)) errors.push(duplicate(`${sf}.containers[${i}].name`, JSON.stringify(name)));
    names.add(name);
  });
  objects(spec['initContainers']).forEach((c, i) => errors.push(...containerErrors(c, `${sf}.initContainers[${i}]`, volumes)));
  const restart = text(spec, 'restartPolicy');
  if (!['Always', 'OnFailure', 'Never'].includes(restart)) errors.push(restart ? notSupported(`${sf}.restartPolicy`, restart, ['Always', 'OnFailure', 'Never']) : required(`${sf}.restartPolicy`));
  const dns = text(spec, 'dnsPolicy');
  if (!['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(dns)) {
    errors.push(dns ? notSupported(`${sf}.dnsPolicy`, dns, ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']) : required(`${sf}.dnsPolicy`));
  }
  const sa = text(spec, 'serviceAccountName');
  if (sa) for (const m of dns1123Subdomain(sa)) errors.push(invalid(`${sf}.serviceAccountName`, JSON.stringify(sa), m));
  return errors;
}
