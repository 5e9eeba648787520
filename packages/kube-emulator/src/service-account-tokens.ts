/**
 * Service-account tokens as kube-apiserver issues them through TokenRequest: RS256 JWTs with the
 * issuer, audiences, expiry, a `jti`, and the `kubernetes.io` claim naming the namespace and the
 * ServiceAccount's name and uid. The emulator signs them with its own RSA key (made on first
 * use) and accepts only tokens it signed, unexpired, whose ServiceAccount still exists with the
 * same uid.
 */
import { createHash, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid: string;
}

export interface TokenClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string } };
  nbf: number;
  sub: string;
}

export interface MintedToken {
  token: string;
  claims: TokenClaims;
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export class ServiceAccountTokenIssuer {
  private key: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | undefined;

  constructor(readonly issuer = DEFAULT_ISSUER) {}

  private signingKey(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
    if (!this.key) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const kid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
      this.key = { privateKey, publicKey, kid };
    }
    return this.key;
  }

  mint(account: ServiceAccountRef, audiences: string[], expirationSeconds: number, now = Date.now()): MintedToken {
    const key = this.signingKey();
    const iat = Math.floor(now / 1000);
    const claims: TokenClaims = {
      aud: audiences,
      exp: iat + expirationSeconds,
      iat,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': { namespace: account.namespace, serviceaccount: { name: account.name, uid: account.uid } },
      nbf: iat,
      sub: `system:serviceaccount:${account.namespace}:${account.name}`,
    };
    const signingInput = `${base64url(JSON.stringify({ alg: 'RS256', kid: key.kid }))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), key.privateKey);
    return { token: `${signingInput}.${base64url(signature)}`, claims };
  }

  /** The claims of a token this issuer signed and that has not expired; undefined otherwise. */
  verify(token: string, now = Date.now()): TokenClaims | undefined {
    if (!this.key) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    if (!verify('sha256', Buffer.from(`${header}.${payload}`), this.key.publicKey, Buffer.from(signature, 'base64url'))) return undefined;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return undefined;
    }
    const seconds = Math.floor(now / 1000);
    if (typeof claims.exp !== 'number' || claims.exp < seconds || claims.iss !== this.issuer) return undefined;
    return claims;
  }
}
