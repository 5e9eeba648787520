import { randomBytes } from 'node:crypto';
import type { HttpAnswer } from './api-gateway.js';
import { StateError, type CloudState } from './state.js';
import { HARDENED_METADATA_REFUSAL_STATUS } from './unconfirmed-behaviour.js';

/**
 * The per-instance metadata service (served under /sim/imds/{instanceId}/): token PUT, the RAM
 * role listing and the role's STS credentials, plus instance-id / region-id / zone-id.
 *
 * In normal mode (the fleet's `metadataTokens: optional`, the default) GETs without a token are
 * answered; in security hardening mode (`metadataTokens: required`) they are refused. A token that
 * is sent must be valid for this instance and unexpired (else 401).
 */

export const TOKEN_TTL_HEADER = 'x-aliyun-ecs-metadata-token-ttl-seconds';
export const TOKEN_HEADER = 'x-aliyun-ecs-metadata-token';
const CREDENTIALS_PREFIX = '/latest/meta-data/ram/security-credentials/';

function text(status: number, body: string): HttpAnswer {
  return { status, headers: { 'content-type': 'text/plain;charset=utf-8' }, body };
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class MetadataService {
  private readonly tokens = new Map<string, { instanceId: string; expiresAt: number }>();

  constructor(
    private readonly state: CloudState,
    private readonly now: () => number = Date.now,
  ) {}

  /** `path` is what follows /sim/imds/{instanceId}, e.g. "/latest/api/token". */
  handle(instanceId: string, method: string, path: string, headers: Record<string, string | undefined>): HttpAnswer {
    const inst = this.state.instance(instanceId);
    if (!inst) return text(404, `instance ${instanceId} does not exist`);

    if (path === '/latest/api/token') {
      if (method !== 'PUT') return text(405, 'use PUT to get a metadata token');
      const ttlText = headers[TOKEN_TTL_HEADER];
      const ttl = ttlText === undefined ? NaN : Number(ttlText);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return text(400, `${TOKEN_TTL_HEADER} must be an integer from 1 to 21600`);
      const token = randomBytes(32).toString('base64url');
      this.tokens.set(token, { instanceId, expiresAt: this.now() + ttl * 1000 });
      return text(200, token);
    }
    if (method !== 'GET') return text(405, 'metadata is read with GET');
    const token = headers[TOKEN_HEADER];
    if (token === undefined && inst.metadataTokens === 'required') {
      return text(HARDENED_METADATA_REFUSAL_STATUS, `instance ${instanceId} only serves metadata in security hardening mode: PUT /latest/api/token, then send ${TOKEN_HEADER}`);
    }
    if (token !== undefined) {
      const entry = this.tokens.get(token);
      if (!entry || entry.instanceId !== instanceId || entry.expiresAt <= this.now()) {
        if (entry && entry.expiresAt <= this.now()) this.tokens.delete(token);
        return text(401, 'the metadata token is invalid or expired; PUT /latest/api/token for a new one');
      }
    }

    switch (path) {
      case '/latest/meta-data/instance-id':
        return text(200, inst.id);
      case '/latest/meta-data/region-id':
        return text(200, inst.regionId);
      case '/latest/meta-data/zone-id':
        return text(200, inst.zoneId);
      case CREDENTIALS_PREFIX:
      case CREDENTIALS_PREFIX.slice(0, -1):
        return inst.ramRole === null ? text(404, `instance ${instanceId} has no RAM role attached`) : text(200, inst.ramRole);
    }
    if (path.startsWith(CREDENTIALS_PREFIX)) {
      const roleName = decodeURIComponent(path.slice(CREDENTIALS_PREFIX.length));
      if (inst.ramRole === null || inst.ramRole.toLowerCase() !== roleName.toLowerCase()) {
        return text(404, `instance ${instanceId} does not carry the RAM role "${roleName}"`);
      }
      try {
        const session = this.state.credentialsForInstance(instanceId, new Date(this.now()));
        const body = {
          AccessKeyId: session.accessKeyId,
          AccessKeySecret: session.accessKeySecret,
          Expiration: isoSeconds(session.expiration),
          SecurityToken: session.securityToken,
          LastUpdated: isoSeconds(new Date(this.now())),
          Code: 'Success',
        };
        return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      } catch (err) {
        if (err instanceof StateError) return text(404, err.message);
        throw err;
      }
    }
    return text(404, `no metadata at ${path}`);
  }
}
