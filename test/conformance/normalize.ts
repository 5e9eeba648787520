/**
 * What legitimately differs between two clusters is rewritten to placeholders before comparing:
 * uids, timestamps and ages, resourceVersions, server addresses and CAs, tokens, allocated cluster
 * IPs and node ports, and the random suffixes of generated names. kubectl tables are compared cell
 * by cell (column widths follow the cell contents, which differ where placeholders stand).
 */
import type { Json } from './session.js';

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
const TIMESTAMP = /\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g;
const JWT = /\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g;
const SERVER = /(?:https?:\/\/)?127\.0\.0\.1:\d+/g;
const CLUSTER_IP = /\b10\.0\.0\.\d{1,3}\b/g;
const NODE_PORT = /\b(\d+):3\d{4}\/(TCP|UDP|SCTP)\b/g;
const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g;
const TOO_OLD = /too old resource version: \d+ \(\d+\)/g;
const AGE_CELL = /^(?:\d+[smhdy])+$|^<invalid>$/;
const NAME_SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]{5}';

export interface NormalizeOptions {
  /** generateName prefixes whose 5-character suffixes are random. */
  generatedPrefixes?: string[];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function normalizeText(text: string, opts: NormalizeOptions = {}): string {
  let out = text
    .replace(CERTIFICATE, '<certificate>')
    .replace(JWT, '<token>')
    .replace(UUID, '<uid>')
    .replace(TIMESTAMP, '<time>')
    .replace(SERVER, '<server>')
    .replace(NODE_PORT, '$1:<node-port>/$2')
    .replace(CLUSTER_IP, '<cluster-ip>')
    .replace(TOO_OLD, 'too old resource version: <rv> (<rv>)');
  for (const prefix of opts.generatedPrefixes ?? []) out = out.replace(new RegExp(`${escape(prefix)}${NAME_SUFFIX}`, 'g'), `${prefix}<random>`);
  return out;
}

/** A kubectl table as rows of cells, ages replaced; other output as normalized text. */
export function normalizeOutput(text: string, opts: NormalizeOptions = {}): Json {
  const normalized = normalizeText(text, opts);
  const lines = normalized.split('\n');
  const header = lines[0] ?? '';
  if (!/^[A-Z][A-Z0-9-() ]*(\s{2,}[A-Z][A-Z0-9-() ]*)+\s*$/.test(header)) return normalized;
  return lines
    .filter((l) => l.trim() !== '')
    .map((line) => line.trim().split(/\s{2,}/).map((cell) => (AGE_CELL.test(cell) ? '<age>' : cell)).join(' | '));
}

/** Values that differ between any two clusters: versions, allocated ports, uids, and opaque continue tokens. */
const VOLATILE_KEYS: Record<string, string> = { resourceVersion: '<rv>', nodePort: '<node-port>', uid: '<uid>', continue: '<continue>' };

export function normalizeJson(value: Json, opts: NormalizeOptions = {}): Json {
  if (typeof value === 'string') return normalizeText(value, opts);
  if (Array.isArray(value)) return value.map((v) => normalizeJson(v, opts));
  if (value === null || typeof value !== 'object') return value;
  // Key order carries no meaning in JSON objects (the real server sorts custom resources' keys, keeps Go field order for built-ins).
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const placeholder = VOLATILE_KEYS[k];
    if (placeholder !== undefined && v !== null && v !== '') out[k] = placeholder;
    else if (k === 'managedFields' && Array.isArray(v)) out[k] = sortManagedFields(normalizeJson(v, opts) as Json[]);
    else out[k] = normalizeJson(v, opts);
  }
  return out;
}

/**
 * managedFields are sorted by operation, then time (in seconds), then manager: entries written in
 * the same second on one target and a second apart on the other legitimately swap places.
 */
function sortManagedFields(entries: Json[]): Json[] {
  const key = (e: Json): string => {
    const o = e !== null && typeof e === 'object' && !Array.isArray(e) ? e : {};
    return ['operation', 'manager', 'apiVersion', 'subresource'].map((k) => String(o[k] ?? '')).join('\u0000');
  };
  return [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** An observation's `seen` value with kubectl output turned into comparable form. */
export function normalizeSeen(seen: Json, opts: NormalizeOptions = {}): Json {
  if (seen !== null && typeof seen === 'object' && !Array.isArray(seen) && 'exit' in seen) {
    const stdout = typeof seen['stdout'] === 'string' ? seen['stdout'] : '';
    const stderr = typeof seen['stderr'] === 'string' ? seen['stderr'] : '';
    let parsedStdout: Json = normalizeOutput(stdout, opts);
    if (/^\s*[{[]/.test(stdout)) {
      try {
        parsedStdout = normalizeJson(JSON.parse(stdout) as Json, opts);
      } catch {
        // not JSON after all
      }
    }
    return { exit: seen['exit'] ?? null, stdout: parsedStdout, stderr: normalizeText(stderr, opts) };
  }
  return normalizeJson(seen, opts);
}
