import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Request signatures as the Alibaba Cloud SDKs compute them: ACS3-HMAC-SHA256 (header
 * `Authorization`) and the legacy RPC v2 HMAC-SHA1 `Signature` query parameter. Pure functions:
 * the server re-computes the string to sign from what arrived and compares.
 */

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** encodeURIComponent plus `!'()*`, as the SDKs percent-encode. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Decodes a raw query string into [key, value] pairs, in wire order. Node's querystring leaves
 * `!'()*` unescaped on the wire, so values are decoded here and re-encoded for signing.
 * Throws URIError on a malformed percent escape.
 */
export function decodeQuery(rawQuery: string): Array<[string, string]> {
  if (rawQuery === '') return [];
  return rawQuery
    .split('&')
    .filter((piece) => piece !== '')
    .map((piece) => {
      const eq = piece.indexOf('=');
      const key = eq < 0 ? piece : piece.slice(0, eq);
      const value = eq < 0 ? '' : piece.slice(eq + 1);
      return [decodeURIComponent(key.replace(/\+/g, ' ')), decodeURIComponent(value.replace(/\+/g, ' '))];
    });
}

/** Keys sorted (JS default order, as the SDK sorts), each `key=RFC3986(value)`, joined by `&`. */
export function acs3CanonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(params[k]!)}`)
    .join('&');
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface Acs3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`; null when malformed. */
export function parseAcs3Authorization(header: string): Acs3Authorization | null {
  const prefix = `${ACS3_ALGORITHM} `;
  if (!header.startsWith(prefix)) return null;
  const fields = new Map<string, string>();
  for (const part of header.slice(prefix.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return null;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature)) return null;
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

export interface Acs3RequestParts {
  method: string;
  /** Path as sent, e.g. "/". */
  path: string;
  params: Record<string, string>;
  /** Lower-case header name to value (only the signed ones are read). */
  headers: Record<string, string | undefined>;
  signedHeaders: readonly string[];
  payloadHash: string;
}

export function acs3CanonicalRequest(r: Acs3RequestParts): string {
  const canonicalHeaders = r.signedHeaders.map((h) => `${h}:${(r.headers[h] ?? '').trim()}\n`).join('');
  return [r.method, r.path, acs3CanonicalQuery(r.params), canonicalHeaders, r.signedHeaders.join(';'), r.payloadHash].join('\n');
}

export function acs3StringToSign(r: Acs3RequestParts): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(acs3CanonicalRequest(r))}`;
}

export function acs3Signature(secret: string, stringToSign: string): string {
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

/** RPC v2: `METHOD&%2F&` + encoded, sorted `key=value` pairs of every parameter but Signature. */
export function v2StringToSign(method: string, params: Record<string, string>): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(params[k]!)}`)
    .join('&');
  return `${method}&${rfc3986('/')}&${rfc3986(canonical)}`;
}

export function v2Signature(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

/** Constant-time string comparison. */
export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
