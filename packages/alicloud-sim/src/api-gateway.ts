import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from './api-error.js';
import type { ActionHandler } from './action-context.js';
import { ACTION_RESOURCES } from './action-resources.js';
import { Authenticator, V2_SIGNING_PARAMS, type SignedRequest } from './authentication.js';
import { authorizeAll } from './authorization.js';
import { CallLog, paramsForLog } from './call-log.js';
import { ECS_ACTIONS } from './ecs-actions.js';
import { FaultInjector } from './faults.js';
import { requestContext } from './policy-conditions.js';
import { ECS_VERSION, RAM_VERSION, type ActionName } from './products.js';
import { RAM_ACTIONS } from './ram-actions.js';
import { parseAcs3Authorization } from './signature.js';
import type { CloudState } from './state.js';
import { Throttle } from './throttle.js';

/**
 * The RPC API pipeline for one request: find the action from x-acs-action / x-acs-version,
 * authenticate, apply injected faults, throttle, authorize (the caller's RAM policies on the
 * resources the action names), run the action, log the call.
 */

interface Product {
  service: 'ecs' | 'ram';
  host: string;
  /** RAM is central: throttled account-wide rather than per region. */
  regional: boolean;
  actions: Readonly<Record<string, ActionHandler>>;
}

const PRODUCTS: Readonly<Record<string, Product>> = {
  [ECS_VERSION]: { service: 'ecs', host: 'ecs.aliyuncs.com', regional: true, actions: ECS_ACTIONS },
  [RAM_VERSION]: { service: 'ram', host: 'ram.aliyuncs.com', regional: false, actions: RAM_ACTIONS },
};

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface GatewayDeps {
  state: CloudState;
  authenticator: Authenticator;
  throttle: Throttle;
  faults: FaultInjector;
  calls: CallLog;
}

function businessParams(req: SignedRequest): Record<string, string> {
  const params: Record<string, string> = { ...req.query, ...req.form };
  for (const name of V2_SIGNING_PARAMS) delete params[name];
  return params;
}

/** The AccessKey ID the request claims, for the call log, even when authentication fails. */
function claimedAccessKeyId(req: SignedRequest): string {
  const auth = req.headers['authorization'];
  if (auth !== undefined) return parseAcs3Authorization(auth)?.accessKeyId ?? '';
  return req.query['AccessKeyId'] ?? req.form['AccessKeyId'] ?? '';
}

function jsonAnswer(status: number, body: Record<string, unknown>, requestId: string, extraHeaders: Record<string, string> = {}): HttpAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId, ...extraHeaders },
    body: JSON.stringify(body),
  };
}

export async function handleApiRequest(deps: GatewayDeps, req: SignedRequest): Promise<HttpAnswer> {
  const requestId = randomUUID().toUpperCase();
  const started = performance.now();
  const time = new Date().toISOString();
  const action = req.headers['x-acs-action'] ?? req.query['Action'] ?? req.form['Action'] ?? '';
  const version = req.headers['x-acs-version'] ?? req.query['Version'] ?? req.form['Version'] ?? '';
  const params = businessParams(req);
  const product = PRODUCTS[version];
  let accessKeyId = claimedAccessKeyId(req);
  let faultIds: number[] = [];
  let injectedLatencyMs = 0;

  let answer: HttpAnswer;
  let code = '200';
  try {
    if (action === '') throw new ApiError(400, 'MissingParameter.Action', 'The request names no action: send the x-acs-action header.');
    if (version === '') throw new ApiError(400, 'MissingParameter.Version', 'The request names no API version: send the x-acs-version header.');
    if (!product) throw new ApiError(400, 'InvalidVersion', `Specified API version "${version}" is not served here (ECS ${ECS_VERSION}, RAM ${RAM_VERSION}).`);
    const handler = product.actions[action];
    if (!handler) throw new ApiError(404, 'InvalidAction.NotFound', `Specified api "${action}" is not found for version ${version}.`);

    const caller = deps.authenticator.authenticate(req);
    accessKeyId = caller.accessKeyId;

    const fault = deps.faults.apply(action);
    faultIds = fault.faultIds;
    injectedLatencyMs = fault.latencyMs;
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.error) throw new ApiError(fault.error.status, fault.error.code, fault.error.message);

    const scope = product.regional ? params['RegionId'] ?? '' : 'global';
    const decision = deps.throttle.take(action, scope);
    if (!decision.allowed) {
      throw new ApiError(400, 'Throttling', `Request was denied due to request throttling: ${action} allows ${deps.throttle.limitFor(action)} calls a second${product.regional ? ` in ${scope}` : ''}.`, {
        'x-acs-retry-after': String(decision.retryAfterMs),
      });
    }

    const context = requestContext(req.sourceIp, new Date());
    const permission = `${product.service}:${action}`;
    const resources = ACTION_RESOURCES[action as ActionName](params, deps.state.accountId);
    authorizeAll(caller, resources.map((resource) => ({ action: permission, resource, context })));

    const result = handler({ params, caller, state: deps.state, requestId, context });
    answer = jsonAnswer(200, { RequestId: requestId, ...result }, requestId);
  } catch (err) {
    const apiErr = err instanceof ApiError ? err : new ApiError(500, 'InternalError', `The request processing has failed due to some unknown error: ${err instanceof Error ? err.message : String(err)}`);
    code = apiErr.code;
    answer = jsonAnswer(
      apiErr.status,
      {
        RequestId: requestId,
        HostId: product?.host ?? req.headers['host'] ?? '',
        Code: apiErr.code,
        Message: apiErr.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(apiErr.code)}&product=${product?.service ?? ''}&requestId=${requestId}`,
      },
      requestId,
      apiErr.headers,
    );
  }

  deps.calls.record({
    time,
    action,
    params: paramsForLog(params),
    accessKeyId,
    status: answer.status,
    code,
    requestId,
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    ...(faultIds.length > 0 ? { faultIds } : {}),
    ...(injectedLatencyMs > 0 ? { injectedLatencyMs } : {}),
  });
  return answer;
}
