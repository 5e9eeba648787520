/**
 * Service validation (core/validation ValidateService, the common part): ports are required
 * unless the Service is headless or an ExternalName; with several ports each needs a unique
 * RFC 1123 label name; port numbers, protocols and target ports are checked; ExternalName needs
 * a DNS name and no cluster IPs; the type and session affinity are known values; ClusterIP
 * Services take no node ports; no port/protocol pair twice.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { dns1123Label, dns1123Subdomain, labelValue, qualifiedName } from '../object-meta-validation.js';
import type { FieldError } from '../status.js';
import { duplicate, forbidden, invalid, notSupported, portNameErrors, portNumberErrors, required, SUPPORTED_PROTOCOLS } from './field-errors.js';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function text(o: JsonObject, k: string): string {
  return typeof o[k] === 'string' ? (o[k] as string) : '';
}

function targetPortErrors(value: JsonValue | undefined, field: string): FieldError[] {
  if (typeof value === 'number') return portNumberErrors(value).map((m) => invalid(field, String(value), m));
  if (typeof value === 'string') return portNameErrors(value).map((m) => invalid(field, JSON.stringify(value), m));
  return [];
}

export function validateService(obj: JsonObject): FieldError[] {
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  const errors: FieldError[] = [];
  const ports = Array.isArray(spec['ports']) ? spec['ports'].filter(isJsonObject) : [];
  const type = text(spec, 'type');
  const headless = spec['clusterIP'] === 'None';
  if (ports.length === 0 && !headless && type !== 'ExternalName') errors.push(required('spec.ports'));
  if (type === 'ExternalName') {
    if (Array.isArray(spec['clusterIPs']) && spec['clusterIPs'].length > 0) errors.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    const cname = text(spec, 'externalName').replace(/\.$/, '');
    if (cname) for (const m of dns1123Subdomain(cname)) errors.push(invalid('spec.externalName', JSON.stringify(cname), m));
    else errors.push(required('spec.externalName'));
  } else if (headless && (type === 'LoadBalancer' || type === 'NodePort')) {
    errors.push(invalid('spec.clusterIPs[0]', '"None"', `may not be set to 'None' for ${type} services`));
  }
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const field = `spec.ports[${i}]`;
    const name = text(port, 'name');
    if (ports.length > 1 && !name) errors.push(required(`${field}.name`));
    else if (name) {
      for (const m of dns1123Label(name)) errors.push(invalid(`${field}.name`, JSON.stringify(name), m));
      if (names.has(name)) errors.push(duplicate(`${field}.name`, JSON.stringify(name)));
      names.add(name);
    }
    const number = typeof port['port'] === 'number' ? port['port'] : 0;
    for (const m of portNumberErrors(number)) errors.push(invalid(`${field}.port`, String(number), m));
    const protocol = text(port, 'protocol');
    if (!protocol) errors.push(required(`${field}.protocol`));
    else if (!SUPPORTED_PROTOCOLS.includes(protocol)) errors.push(notSupported(`${field}.protocol`, protocol, SUPPORTED_PROTOCOLS));
    errors.push(...targetPortErrors(port['targetPort'], `${field}.targetPort`));
    if (typeof port['appProtocol'] === 'string') for (const m of qualifiedName(port['appProtocol'])) errors.push(invalid(`${field}.appProtocol`, JSON.stringify(port['appProtocol']), m));
  });
  const selector = spec['selector'];
  if (isJsonObject(selector)) {
    for (const [k, v] of Object.entries(selector)) {
      for (const m of qualifiedName(k)) errors.push(invalid('spec.selector', JSON.stringify(k), m));
      for (const m of labelValue(String(v))) errors.push(invalid('spec.selector', JSON.stringify(String(v)), m));
    }
  }
  const affinity = text(spec, 'sessionAffinity');
  if (!affinity) errors.push(required('spec.sessionAffinity'));
  else if (affinity !== 'ClientIP' && affinity !== 'None') errors.push(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  if (!type) errors.push(required('spec.type'));
  else if (!TYPES.includes(type)) errors.push(notSupported('spec.type', type, TYPES));
  if (type === 'ClusterIP') ports.forEach((p, i) => typeof p['nodePort'] === 'number' && p['nodePort'] !== 0 && errors.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'")));
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${text(p, 'protocol')}/${String(p['port'] ?? 0)}`;
    if (seen.has(key)) errors.push(duplicate(`spec.ports[${i}]`, `core.ServicePort{Name:"", Protocol:${JSON.stringify(text(p, 'protocol'))}, AppProtocol:(*string)(nil), Port:${String(p['port'] ?? 0)}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`));
    seen.add(key);
  });
  return errors;
}
