// The Kubernetes CEL IP and CIDR libraries (k8s.io/apiserver/pkg/cel/library ip.go, cidr.go):
// ip('10.0.0.1').family(), isLoopback(), isGlobalUnicast(), ...; cidr('10.0.0.0/8')
// .containsIP(...), containsCIDR(...), prefixLength(), masked(); isIP, isCIDR, ip.isCanonical;
// string(ip) and string(cidr). Like Quantity and URL, each value travels as a one-entry map under
// a reserved key, holding its canonical text, so equal addresses compare equal.

import { isIPv4, isIPv6 } from 'node:net';
import { CelScalar, celFunc, celMap, celMethod, isCelMap, mapType, type CelFunc, type CelMap, type CelValue } from '@bufbuild/cel';

const DYN_MAP = mapType(CelScalar.DYN, CelScalar.DYN);
const ipKey = '\u0000ip';
const cidrKey = '\u0000cidr';

interface Address {
  bytes: number[];
  family: 4 | 6;
}

function parseIPv6Groups(text: string): number[] | undefined {
  let head = text;
  let tailBytes: number[] = [];
  const lastColon = head.lastIndexOf(':');
  if (head.slice(lastColon + 1).includes('.')) {
    const v4 = parseAddressText(head.slice(lastColon + 1));
    if (v4 === undefined || v4.family !== 4) return undefined;
    tailBytes = v4.bytes;
    head = `${head.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const groups = (part: string): number[] => (part.length === 0 ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const leftGroups = groups(left);
  const rightGroups = right === undefined ? [] : groups(right);
  const missing = 8 - leftGroups.length - rightGroups.length;
  if (right === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...leftGroups, ...Array<number>(right === undefined ? 0 : missing).fill(0), ...rightGroups];
  const bytes = all.flatMap((group) => [group >> 8, group & 0xff]);
  if (tailBytes.length === 4) bytes.splice(12, 4, ...tailBytes);
  return bytes;
}

function parseAddressText(text: string): Address | undefined {
  if (isIPv4(text)) return { bytes: text.split('.').map(Number), family: 4 };
  if (isIPv6(text) && !text.includes('%')) {
    const bytes = parseIPv6Groups(text);
    return bytes === undefined ? undefined : { bytes, family: 6 };
  }
  return undefined;
}

function isIPv4Mapped(address: Address): boolean {
  return address.family === 6 && address.bytes.slice(0, 10).every((b) => b === 0) && address.bytes[10] === 0xff && address.bytes[11] === 0xff;
}

/** ip(): netip.ParseAddr without zones and without IPv4-mapped IPv6 addresses. */
function parseIp(text: string): Address {
  if (text.includes('%')) throw new Error(`IP address with zone value is not allowed: ${text}`);
  const address = parseAddressText(text);
  if (address === undefined) throw new Error(`IP Address ${JSON.stringify(text)} parse error during conversion from string: ParseAddr(${JSON.stringify(text)}): unable to parse IP`);
  if (isIPv4Mapped(address)) throw new Error(`IPv4-mapped IPv6 address ${JSON.stringify(text)} is not allowed`);
  return address;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as ::). */
function formatAddress(address: Address): string {
  if (address.family === 4) return address.bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((address.bytes[2 * i] ?? 0) << 8) | (address.bytes[2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

interface Prefix {
  address: Address;
  length: number;
}

function parseCidr(text: string): Prefix {
  const slash = text.indexOf('/');
  const address = slash < 0 ? undefined : parseAddressText(text.slice(0, slash));
  const bits = slash < 0 ? '' : text.slice(slash + 1);
  const length = /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  if (address === undefined || !(length <= (address.family === 4 ? 32 : 128))) {
    throw new Error(`network address parse error during conversion from CIDR string: netip.ParsePrefix(${JSON.stringify(text)}): bad prefix`);
  }
  if (isIPv4Mapped(address)) throw new Error(`IPv4-mapped IPv6 address ${JSON.stringify(text)} is not allowed`);
  return { address, length };
}

function masked(prefix: Prefix): Address {
  const bytes = prefix.address.bytes.map((byte, index) => {
    const keep = Math.max(0, Math.min(8, prefix.length - index * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  return { bytes, family: prefix.address.family };
}

function contains(prefix: Prefix, address: Address): boolean {
  if (prefix.address.family !== address.family) return false;
  const network = masked(prefix);
  const candidate = masked({ address, length: prefix.length });
  return network.bytes.every((byte, i) => byte === candidate.bytes[i]);
}

function ipValue(address: Address): CelMap {
  return celMap(new Map([[ipKey, formatAddress(address)]]));
}

function cidrValue(prefix: Prefix): CelMap {
  return celMap(new Map([[cidrKey, `${formatAddress(prefix.address)}/${prefix.length}`]]));
}

function reserved(value: CelValue, key: string): string | undefined {
  if (!isCelMap(value) || value.size !== 1) return undefined;
  const text = value.get(key);
  return typeof text === 'string' ? text : undefined;
}

function addressOf(value: CelValue): Address {
  const text = typeof value === 'string' ? value : reserved(value, ipKey);
  if (text === undefined) throw new Error('no such overload: expected an IP');
  return parseIp(text);
}

function prefixOf(value: CelValue): Prefix {
  const text = typeof value === 'string' ? value : reserved(value, cidrKey);
  if (text === undefined) throw new Error('no such overload: expected a CIDR');
  return parseCidr(text);
}

function isMulticast(address: Address): boolean {
  return address.family === 4 ? ((address.bytes[0] ?? 0) & 0xf0) === 0xe0 : address.bytes[0] === 0xff;
}

function isLoopback(address: Address): boolean {
  return address.family === 4 ? address.bytes[0] === 127 : address.bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}

function isUnspecified(address: Address): boolean {
  return address.bytes.every((b) => b === 0);
}

function isLinkLocalUnicast(address: Address): boolean {
  return address.family === 4
    ? address.bytes[0] === 169 && address.bytes[1] === 254
    : address.bytes[0] === 0xfe && ((address.bytes[1] ?? 0) & 0xc0) === 0x80;
}

function isLinkLocalMulticast(address: Address): boolean {
  return address.family === 4
    ? address.bytes[0] === 224 && address.bytes[1] === 0 && address.bytes[2] === 0
    : address.bytes[0] === 0xff && ((address.bytes[1] ?? 0) & 0x0f) === 0x02;
}

function isGlobalUnicast(address: Address): boolean {
  if (address.family === 4 && address.bytes.every((b) => b === 255)) return false;
  return !isUnspecified(address) && !isLoopback(address) && !isMulticast(address) && !isLinkLocalUnicast(address);
}

function ipMethod(name: string, test: (address: Address) => boolean): CelFunc {
  return celMethod(name, DYN_MAP, [], CelScalar.BOOL, function (this: CelMap) {
    return test(addressOf(this));
  });
}

function succeeds(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

export const kubernetesNetworkFunctions: CelFunc[] = [
  celFunc('ip', [CelScalar.STRING], DYN_MAP, (text: string) => ipValue(parseIp(text))),
  celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, (text: string) => succeeds(() => parseIp(text))),
  celFunc('ip.isCanonical', [CelScalar.STRING], CelScalar.BOOL, (text: string) => formatAddress(parseIp(text)) === text),
  celMethod('family', DYN_MAP, [], CelScalar.INT, function (this: CelMap) {
    return BigInt(addressOf(this).family);
  }),
  ipMethod('isUnspecified', isUnspecified),
  ipMethod('isLoopback', isLoopback),
  ipMethod('isLinkLocalMulticast', isLinkLocalMulticast),
  ipMethod('isLinkLocalUnicast', isLinkLocalUnicast),
  ipMethod('isGlobalUnicast', isGlobalUnicast),
  celFunc('cidr', [CelScalar.STRING], DYN_MAP, (text: string) => cidrValue(parseCidr(text))),
  celFunc('isCIDR', [CelScalar.STRING], CelScalar.BOOL, (text: string) => succeeds(() => parseCidr(text))),
  celMethod('containsIP', DYN_MAP, [CelScalar.DYN], CelScalar.BOOL, function (this: CelMap, address: CelValue) {
    return contains(prefixOf(this), addressOf(address));
  }),
  celMethod('containsCIDR', DYN_MAP, [CelScalar.DYN], CelScalar.BOOL, function (this: CelMap, other: CelValue) {
    const outer = prefixOf(this);
    const inner = prefixOf(other);
    return inner.length >= outer.length && contains(outer, inner.address);
  }),
  celMethod('ip', DYN_MAP, [], DYN_MAP, function (this: CelMap) {
    return ipValue(prefixOf(this).address);
  }),
  celMethod('masked', DYN_MAP, [], DYN_MAP, function (this: CelMap) {
    const prefix = prefixOf(this);
    return cidrValue({ address: masked(prefix), length: prefix.length });
  }),
  celMethod('prefixLength', DYN_MAP, [], CelScalar.INT, function (this: CelMap) {
    return BigInt(prefixOf(this).length);
  }),
  celFunc('string', [DYN_MAP], CelScalar.STRING, (value: CelMap) => {
    const text = reserved(value, ipKey) ?? reserved(value, cidrKey);
    if (text === undefined) throw new Error('no such overload: string() takes an IP or a CIDR here');
    return text;
  }),
];
