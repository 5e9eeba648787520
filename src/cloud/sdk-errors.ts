/**
 * Turns whatever an SDK call threw into a CloudError, so no SDK type leaves src/cloud/.
 *
 * - ThrottlingError / ClientError / ServerError (@alicloud/openapi-core): the cloud's Code,
 *   HTTP status and RequestId; the throttling wait from x-acs-retry-after. The SDK itself reads
 *   that header as milliseconds (it sleeps that long when retries are on), so it is converted to
 *   seconds here.
 * - Network failures: the Node error code (ECONNREFUSED, ECONNRESET, ENOTFOUND, ...); the HTTP
 *   layer's connect and read timeouts (RequestTimeoutError) become ETIMEDOUT.
 * - A body that is not JSON: InvalidResponse. The credential chain finding nothing:
 *   InvalidCredentials (the SDK's own code for missing credentials). Anything else:
 *   UnknownError, with the original message.
 */
import type { AlibabaCloudError } from '@alicloud/openapi-core';
import { CloudError } from './cloud-api.js';
import { OpenApiCore } from './sdk-modules.js';

export const NETWORK_TIMEOUT_CODE = 'ETIMEDOUT';
export const INVALID_RESPONSE_CODE = 'InvalidResponse';
/** The same code the SDK uses when no credential is configured at all. */
export const CREDENTIALS_UNAVAILABLE_CODE = 'InvalidCredentials';
export const UNKNOWN_ERROR_CODE = 'UnknownError';

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}

function stringField(value: unknown, name: string): string | undefined {
  const v = field(value, name);
  return typeof v === 'string' && v !== '' && v !== 'undefined' ? v : undefined;
}

/** openapi-core's response errors; duck-typed too in case two copies of the package are installed. */
function isSdkResponseError(err: Error): err is AlibabaCloudError {
  return err instanceof OpenApiCore.AlibabaCloudError || (typeof field(err, 'statusCode') === 'number' && typeof field(err, 'data') === 'object');
}

function fromCloudError(action: string, err: AlibabaCloudError): CloudError {
  const statusCode = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const code = stringField(err, 'code') ?? (statusCode !== undefined ? `HTTP${statusCode}` : UNKNOWN_ERROR_CODE);
  const message = stringField(err.data, 'Message') ?? stringField(err.data, 'message') ?? err.message;
  const requestId = stringField(err, 'requestId') ?? stringField(err.data, 'RequestId');
  const retryAfter = field(err, 'retryAfter');
  const retryAfterMs = typeof retryAfter === 'number' && Number.isFinite(retryAfter) ? retryAfter : undefined;
  return new CloudError({
    action,
    code,
    message,
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterSeconds: retryAfterMs / 1000 } : {}),
  });
}

/** The CloudError for a failed SDK call of `action`. A CloudError passes through unchanged. */
export function toCloudError(action: string, err: unknown): CloudError {
  if (err instanceof CloudError) return err;
  if (!(err instanceof Error)) return new CloudError({ action, code: UNKNOWN_ERROR_CODE, message: String(err) });
  if (isSdkResponseError(err)) return fromCloudError(action, err);

  const nodeCode = stringField(err, 'code');
  if (err.name === 'RequestTimeoutError') return new CloudError({ action, code: NETWORK_TIMEOUT_CODE, message: err.message });
  if (nodeCode !== undefined && /^E[A-Z0-9_]+$/.test(nodeCode)) return new CloudError({ action, code: nodeCode, message: err.message });
  if (err instanceof SyntaxError) {
    return new CloudError({ action, code: INVALID_RESPONSE_CODE, message: `the response is not valid JSON: ${err.message}` });
  }
  if (/unable to get credentials|get sts token failed|credentials is disabled/i.test(err.message)) {
    return new CloudError({ action, code: CREDENTIALS_UNAVAILABLE_CODE, message: err.message });
  }
  return new CloudError({ action, code: nodeCode ?? UNKNOWN_ERROR_CODE, message: err.message });
}
