import { ApiError } from './api-error.js';
import type { Caller } from './authorization.js';
import type { AuthorizationRequest, Decision } from './policy-evaluation.js';
import {
  acs3Signature,
  acs3StringToSign,
  parseAcs3Authorization,
  sameSignature,
  sha256Hex,
  v2Signature,
  v2StringToSign,
} from './signature.js';
import type { AccessKey, CloudState, StsSession } from './state.js';

/**
 * Who sent an API request: verifies the ACS3-HMAC-SHA256 or legacy v2 signature, the AccessKey
 * (long-term or STS from the metadata service), the request date and the signature nonce.
 */

/** A request whose x-acs-date / Timestamp is further than this from the server clock is refused. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** Headers every ACS3 request must sign. */
const REQUIRED_SIGNED_HEADERS = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'];

/** Query parameters of the v2 (HMAC-SHA1) scheme that are signing metadata, not business parameters. */
export const V2_SIGNING_PARAMS = [
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'SecurityToken',
  'Format',
  'Action',
  'Version',
] as const;

const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export interface SignedRequest {
  method: string;
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  /** Decoded form-body parameters (empty for the usual RPC call). */
  form: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** The client's address (the `acs:SourceIp` condition key). */
  sourceIp: string;
}

/**
 * Remembers each signature nonce until the request's own date leaves the accepted window
 * (date + 15 min, at least 15 min from now): after that a replay fails the date check anyway.
 */
class NonceCache {
  private readonly seen = new Map<string, number>();

  /** False when the nonce was already used. */
  use(nonce: string, requestTime: number, now: number): boolean {
    for (const [key, expires] of this.seen) {
      if (expires > now) break;
      this.seen.delete(key);
    }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, Math.max(requestTime, now) + MAX_CLOCK_SKEW_MS);
    return true;
  }
}

function incomplete(message: string): ApiError {
  return new ApiError(400, 'IncompleteSignature', message);
}

export class Authenticator {
  private readonly nonces = new NonceCache();

  constructor(
    private readonly state: CloudState,
    private readonly now: () => number = Date.now,
  ) {}

  /** The caller, or throws the ApiError the real gateway would answer with. */
  authenticate(req: SignedRequest): Caller {
    const authorization = req.headers['authorization'];
    if (authorization !== undefined) return this.authenticateAcs3(req, authorization);
    if (req.query['Signature'] !== undefined || req.form['Signature'] !== undefined) return this.authenticateV2(req);
    throw incomplete('The request is not signed: send an "Authorization: ACS3-HMAC-SHA256 ..." header or a v2 "Signature" parameter.');
  }

  private authenticateAcs3(req: SignedRequest, header: string): Caller {
    const auth = parseAcs3Authorization(header);
    if (!auth) {
      throw incomplete('The Authorization header is malformed; expected "ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2>,Signature=<64 hex>".');
    }
    const mustSign = [...REQUIRED_SIGNED_HEADERS];
    for (const optional of ['x-acs-security-token', 'x-acs-accesskey-id', 'content-type']) {
      if (req.headers[optional] !== undefined) mustSign.push(optional);
    }
    for (const name of mustSign) {
      if (req.headers[name] === undefined) throw incomplete(`The request lacks the header "${name}".`);
      if (!auth.signedHeaders.includes(name)) throw incomplete(`The header "${name}" must be listed in SignedHeaders.`);
    }
    const payloadHash = sha256Hex(req.body);
    if (req.headers['x-acs-content-sha256'] !== payloadHash) {
      throw incomplete('The x-acs-content-sha256 header does not match the SHA-256 of the request body.');
    }
    this.checkTimestamp(req.headers['x-acs-date']!, 'x-acs-date');
    const token = req.headers['x-acs-security-token'];
    const headerKeyId = req.headers['x-acs-accesskey-id'];
    if (headerKeyId !== undefined && headerKeyId !== auth.accessKeyId) {
      throw incomplete('The x-acs-accesskey-id header differs from the Credential in the Authorization header.');
    }
    const credential = this.lookupCredential(auth.accessKeyId, token);
    const stringToSign = acs3StringToSign({
      method: req.method,
      path: req.path,
      params: req.query,
      headers: req.headers,
      signedHeaders: auth.signedHeaders,
      payloadHash,
    });
    const expected = acs3Signature(credential.secret, stringToSign);
    if (!sameSignature(expected, auth.signature)) {
      throw incomplete(`The request signature does not conform to Aliyun standards. server string to sign is:${stringToSign}`);
    }
    this.checkNonce(req.headers['x-acs-signature-nonce']!, req.headers['x-acs-date']!);
    return credential.caller;
  }

  private authenticateV2(req: SignedRequest): Caller {
    const params = { ...req.query, ...req.form };
    for (const name of ['AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp']) {
      if (!params[name]) throw new ApiError(400, `MissingParameter.${name}`, `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
    }
    if (params['SignatureMethod'] !== 'HMAC-SHA1') throw new ApiError(400, 'InvalidParameter.SignatureMethod', 'SignatureMethod must be HMAC-SHA1.');
    if (params['SignatureVersion'] !== '1.0') throw new ApiError(400, 'InvalidParameter.SignatureVersion', 'SignatureVersion must be 1.0.');
    this.checkTimestamp(params['Timestamp']!, 'Timestamp');
    const credential = this.lookupCredential(params['AccessKeyId']!, params['SecurityToken']);
    const stringToSign = v2StringToSign(req.method, params);
    const expected = v2Signature(credential.secret, stringToSign);
    if (!sameSignature(expected, params['Signature']!)) {
      throw new ApiError(400, 'SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`);
    }
    this.checkNonce(params['SignatureNonce']!, params['Timestamp']!);
    return credential.caller;
  }

  private checkTimestamp(value: string, name: string): void {
    if (!TIMESTAMP_PATTERN.test(value) || Number.isNaN(Date.parse(value))) {
      throw new ApiError(400, 'InvalidTimeStamp.Format', `Specified ${name} "${value}" is not in the format YYYY-MM-DDThh:mm:ssZ (UTC).`);
    }
    if (Math.abs(Date.parse(value) - this.now()) > MAX_CLOCK_SKEW_MS) {
      throw new ApiError(400, 'InvalidTimeStamp.Expired', `Specified ${name} "${value}" is more than 15 minutes away from the server time; check the client clock.`);
    }
  }

  private checkNonce(nonce: string, date: string): void {
    if (!this.nonces.use(nonce, Date.parse(date), this.now())) {
      throw new ApiError(400, 'SignatureNonceUsed', `Specified signature nonce "${nonce}" was used already; send a fresh nonce with every request.`);
    }
  }

  private lookupCredential(accessKeyId: string, securityToken: string | undefined): { secret: string; caller: Caller } {
    if (securityToken !== undefined && securityToken !== '') {
      const session = this.state.stsSession(accessKeyId);
      if (!session) throw new ApiError(400, 'InvalidAccessKeyId.NotFound', `Specified access key is not found: ${accessKeyId}`);
      if (session.securityToken !== securityToken) {
        throw new ApiError(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'The security token does not belong to the access key.');
      }
      if (session.expiration.getTime() <= this.now()) {
        throw new ApiError(400, 'InvalidSecurityToken.Expired', `The security token expired at ${session.expiration.toISOString()}; fetch fresh credentials from the metadata service.`);
      }
      return { secret: session.accessKeySecret, caller: this.stsCaller(session) };
    }
    const key = this.state.accessKey(accessKeyId);
    if (!key) throw new ApiError(400, 'InvalidAccessKeyId.NotFound', `Specified access key is not found: ${accessKeyId}`);
    if (key.disabled) throw new ApiError(403, 'Forbidden.AccessKeyDisabled', `The AccessKey ${accessKeyId} is disabled.`);
    return { secret: key.secret, caller: accessKeyCaller(key) };
  }

  private stsCaller(session: StsSession): Caller {
    const state = this.state;
    return {
      accessKeyId: session.accessKeyId,
      kind: 'sts',
      roleName: session.roleName,
      instanceId: session.instanceId,
      // The role's policies, narrowed by the Policy given on attach: both must allow.
      decide(request: AuthorizationRequest): Decision {
        const role = state.role(session.roleName);
        if (!role) return 'ImplicitDeny';
        const byRole = state.rolePermissions(role).decide(request);
        if (byRole !== 'Allow' || session.attachPolicy === null) return byRole;
        return session.attachPolicy.decide(request);
      },
    };
  }
}

function accessKeyCaller(key: AccessKey): Caller {
  return {
    accessKeyId: key.id,
    kind: 'accessKey',
    decide: (request: AuthorizationRequest) => key.permissions.decide(request),
  };
}
