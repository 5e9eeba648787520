/**
 * TokenRequest (POST serviceaccounts/NAME/token, `kubectl create token`): a bound token for an
 * existing ServiceAccount, audiences defaulting to the issuer, an hour unless asked otherwise
 * (at least 10 minutes, at most 2^32 seconds). The answer is the TokenRequest with the token and
 * its expiry in status.
 */
import { managedFieldsEntries, NO_OWNERS, recordUpdate, type ManagerIdentity } from './field-manager.js';
import { goFieldShapes } from './field-shapes.js';
import { roundTripGoJson } from './go-types/go-json.js';
import { isJsonObject, type JsonObject } from './json.js';
import { nowTimestamp } from './object-meta.js';
import type { ServiceAccountTokenIssuer } from './service-account-tokens.js';
import { invalid } from './status.js';

export const TOKEN_SUBRESOURCE = { name: 'token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] };

const MIN_SECONDS = 600;
const MAX_SECONDS = 2 ** 32;

/** The managedFields the real server puts on the answer: what the request set (after its defaults), as an Update. */
function requestManagedFields(spec: JsonObject, expirationSeconds: number, who: ManagerIdentity): JsonObject[] {
  const requested: JsonObject = { spec: { ...spec, expirationSeconds } };
  const zero = roundTripGoJson('authentication/v1.TokenRequest', {}).value;
  const owners = recordUpdate(NO_OWNERS, who, zero, roundTripGoJson('authentication/v1.TokenRequest', requested).value, goFieldShapes('authentication/v1.TokenRequest'));
  return managedFieldsEntries(owners);
}

/** `serviceAccount` is the stored ServiceAccount; `body` the TokenRequest as decoded; `who` the writer. */
export function requestToken(issuer: ServiceAccountTokenIssuer, serviceAccount: JsonObject, body: JsonObject, dryRun: boolean, who: ManagerIdentity): JsonObject {
  const saMeta = isJsonObject(serviceAccount['metadata']) ? serviceAccount['metadata'] : {};
  const spec = isJsonObject(body['spec']) ? body['spec'] : {};
  const audiences = Array.isArray(spec['audiences']) && spec['audiences'].length > 0 ? spec['audiences'].map(String) : [issuer.issuer];
  const expirationSeconds = typeof spec['expirationSeconds'] === 'number' ? spec['expirationSeconds'] : 3600;
  const requestName = isJsonObject(body['metadata']) && typeof body['metadata']['name'] === 'string' ? body['metadata']['name'] : '';
  const tooShort = expirationSeconds < MIN_SECONDS;
  if (tooShort || expirationSeconds > MAX_SECONDS) {
    throw invalid({ group: 'authentication.k8s.io', kind: 'TokenRequest' }, requestName, [
      { reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${expirationSeconds}: may not specify a duration ${tooShort ? 'less than 10 minutes' : 'larger than 2^32 seconds'}` },
    ]);
  }
  const account = { namespace: String(saMeta['namespace'] ?? ''), name: String(saMeta['name'] ?? ''), uid: String(saMeta['uid'] ?? '') };
  const minted = dryRun ? undefined : issuer.mint(account, audiences, expirationSeconds);
  const expires = new Date(((minted?.claims.exp ?? Math.floor(Date.now() / 1000) + expirationSeconds)) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: account.name, namespace: account.namespace, creationTimestamp: nowTimestamp(), managedFields: requestManagedFields(spec, expirationSeconds, who) },
    spec: { audiences, expirationSeconds, boundObjectRef: spec['boundObjectRef'] ?? null },
    status: { token: minted?.token ?? '', expirationTimestamp: expires },
  };
}
