/**
 * What kube-apiserver's Service storage assigns on create: a cluster IP from the service range
 * (default 10.0.0.0/24, the first address belonging to the `kubernetes` Service), the single-stack
 * IPv4 family fields, and node ports from 30000-32767 for NodePort and LoadBalancer Services. An
 * update that leaves these out keeps the allocated values. A requested address that is taken or
 * outside the range is refused with the real field errors.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import type { FieldError } from '../status.js';

const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

function portsOf(spec: JsonObject): JsonObject[] {
  return Array.isArray(spec['ports']) ? spec['ports'].filter(isJsonObject) : [];
}

export class ServiceAddressAllocator {
  private readonly first: number;
  private readonly last: number;

  constructor(
    private readonly servicesInUse: () => Iterable<JsonObject>,
    readonly cidr = '10.0.0.0/24',
  ) {
    const [base = '', bits = '24'] = cidr.split('/');
    const network = ipToNumber(base) ?? 0;
    const size = 2 ** (32 - Number(bits));
    this.first = network + 1;
    this.last = network + size - 2;
  }

  /** The first address of the range: the `kubernetes` Service's. */
  get apiServerAddress(): string {
    return numberToIp(this.first);
  }

  /** Assigns addresses and ports to `service` (in place); returns field errors for refused requests. */
  assign(service: JsonObject, old: JsonObject | undefined): FieldError[] {
    const spec: JsonObject = isJsonObject(service['spec']) ? service['spec'] : {};
    service['spec'] = spec;
    const oldSpec = old && isJsonObject(old['spec']) ? old['spec'] : undefined;
    if (spec['type'] === 'ExternalName') return [];
    if (oldSpec) this.keepAllocated(spec, oldSpec);
    const errors: FieldError[] = [];
    const others = [...this.servicesInUse()].filter((s) => !old || !sameObject(s, old));
    const requested = typeof spec['clusterIP'] === 'string' ? spec['clusterIP'] : '';
    if (requested === 'None') {
      spec['clusterIPs'] = ['None'];
    } else if (requested === '') {
      const taken = new Set(others.map((s) => clusterIpOf(s)).filter((ip): ip is number => ip !== undefined));
      const free = this.freeAddress(taken);
      if (free === undefined) {
        errors.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string(nil): failed to allocate IP: range is full` });
      } else {
        spec['clusterIP'] = free;
        spec['clusterIPs'] = [free];
      }
    } else if (!oldSpec || oldSpec['clusterIP'] !== requested) {
      const n = ipToNumber(requested);
      if (n === undefined || n < this.first || n > this.last) {
        errors.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{${JSON.stringify(requested)}}: failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.cidr}` });
      } else if (others.some((s) => clusterIpOf(s) === n)) {
        errors.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{${JSON.stringify(requested)}}: failed to allocate IP ${requested}: provided IP is already allocated` });
      } else {
        spec['clusterIPs'] = [requested];
      }
    }
    if (spec['ipFamilies'] === undefined) spec['ipFamilies'] = ['IPv4'];
    if (spec['ipFamilyPolicy'] === undefined) spec['ipFamilyPolicy'] = 'SingleStack';
    if (spec['type'] === 'NodePort' || (spec['type'] === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] !== false)) {
      const used = new Set(others.flatMap((s) => portsOf(isJsonObject(s['spec']) ? s['spec'] : {}).map((p) => p['nodePort'])).filter((p): p is number => typeof p === 'number' && p > 0));
      for (const port of portsOf(spec)) {
        if (typeof port['nodePort'] === 'number' && port['nodePort'] > 0) {
          used.add(port['nodePort']);
          continue;
        }
        const free = this.freeNodePort(used);
        if (free !== undefined) {
          port['nodePort'] = free;
          used.add(free);
        }
      }
    }
    return errors;
  }

  private keepAllocated(spec: JsonObject, oldSpec: JsonObject): void {
    for (const key of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) {
      if ((spec[key] === undefined || spec[key] === '') && oldSpec[key] !== undefined) spec[key] = oldSpec[key] as JsonValue;
    }
    const oldPorts = portsOf(oldSpec);
    for (const port of portsOf(spec)) {
      if (port['nodePort']) continue;
      const before = oldPorts.find((p) => p['port'] === port['port'] && (p['protocol'] ?? 'TCP') === (port['protocol'] ?? 'TCP'));
      if (before && typeof before['nodePort'] === 'number') port['nodePort'] = before['nodePort'];
    }
  }

  private freeAddress(taken: Set<number>): string | undefined {
    const size = this.last - this.first + 1;
    const start = Math.floor(Math.random() * size);
    for (let i = 0; i < size; i++) {
      const candidate = this.first + ((start + i) % size);
      if (candidate !== this.first && !taken.has(candidate)) return numberToIp(candidate);
    }
    return undefined;
  }

  private freeNodePort(used: Set<number>): number | undefined {
    const size = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    const start = Math.floor(Math.random() * size);
    for (let i = 0; i < size; i++) {
      const candidate = NODE_PORT_MIN + ((start + i) % size);
      if (!used.has(candidate)) return candidate;
    }
    return undefined;
  }
}

function sameObject(a: JsonObject, b: JsonObject): boolean {
  const ma = isJsonObject(a['metadata']) ? a['metadata'] : {};
  const mb = isJsonObject(b['metadata']) ? b['metadata'] : {};
  return ma['namespace'] === mb['namespace'] && ma['name'] === mb['name'];
}

function clusterIpOf(service: JsonObject): number | undefined {
  const spec = isJsonObject(service['spec']) ? service['spec'] : {};
  return typeof spec['clusterIP'] === 'string' ? ipToNumber(spec['clusterIP']) : undefined;
}
