/** Continue tokens of paginated lists: the list's resourceVersion and the last key returned. */
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { badRequest } from './status.js';

export interface ContinueToken {
  rv: number;
  start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start }), 'utf8').toString('base64url');
}

export function decodeContinue(text: string): ContinueToken {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (isJsonObject(parsed as JsonValue)) {
      const p = parsed as JsonObject;
      if (typeof p['rv'] === 'number' && typeof p['start'] === 'string') return { rv: p['rv'], start: p['start'] };
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest(`invalid continue token "${text}"; use the continue value of the previous list response`);
}
