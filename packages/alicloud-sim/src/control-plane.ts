import type { HttpAnswer } from './api-gateway.js';
import type { CallLog } from './call-log.js';
import { validateFaultSpec, type FaultInjector } from './faults.js';
import { FleetValidationError, readInstanceSpec } from './fleet.js';
import type { MetadataService } from './imds.js';
import { StateError, instanceView, type CloudState } from './state.js';

/**
 * The unsigned /sim/ control plane: inspect state, change roles out of band (drift), launch and
 * release instances, inject faults, read the call log and the roleless windows, and each
 * instance's metadata service.
 */

export interface ControlPlaneDeps {
  state: CloudState;
  faults: FaultInjector;
  calls: CallLog;
  imds: MetadataService;
}

export interface ControlRequest {
  method: string;
  /** Path after /sim, e.g. "/instances/i-1/role". */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

function json(status: number, body: unknown): HttpAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function problem(status: number, message: string): HttpAnswer {
  return json(status, { error: message });
}

const NO_CONTENT: HttpAnswer = { status: 204, headers: {}, body: '' };

function stateErrorAnswer(err: StateError): HttpAnswer {
  return problem(err.kind === 'NotFound' ? 404 : err.kind === 'Conflict' ? 409 : 400, err.message);
}

function parseJsonBody(body: Buffer): { value: unknown } | { error: HttpAnswer } {
  try {
    return { value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { error: problem(400, 'the request body must be JSON') };
  }
}

function methodNotAllowed(method: string, path: string, allowed: string): HttpAnswer {
  return problem(405, `${method} is not supported on /sim${path}; use ${allowed}`);
}

export function handleControlPlane(deps: ControlPlaneDeps, req: ControlRequest): HttpAnswer {
  const { method, path } = req;
  try {
    const imds = /^\/imds\/([^/]+)(\/.*)$/.exec(path);
    if (imds) return deps.imds.handle(decodeURIComponent(imds[1]!), method, imds[2]!, req.headers);

    if (path === '/state') {
      return method === 'GET' ? json(200, deps.state.snapshot()) : methodNotAllowed(method, path, 'GET');
    }

    if (path === '/roleless') {
      if (method === 'GET') return json(200, deps.state.roleless.report(req.query.get('instanceId') ?? undefined));
      if (method === 'DELETE') {
        deps.state.roleless.clear();
        return NO_CONTENT;
      }
      return methodNotAllowed(method, path, 'GET or DELETE');
    }

    if (path === '/calls') {
      if (method === 'GET') return json(200, deps.calls.entries(req.query.get('action') ?? undefined));
      if (method === 'DELETE') {
        deps.calls.clear();
        return NO_CONTENT;
      }
      return methodNotAllowed(method, path, 'GET or DELETE');
    }

    if (path === '/faults') {
      if (method === 'GET') return json(200, deps.faults.list());
      if (method === 'DELETE') {
        deps.faults.clear();
        return NO_CONTENT;
      }
      if (method === 'POST') {
        const body = parseJsonBody(req.body);
        if ('error' in body) return body.error;
        const spec = validateFaultSpec(body.value);
        if ('error' in spec) return problem(400, `fault: ${spec.error}`);
        return json(201, deps.faults.add(spec));
      }
      return methodNotAllowed(method, path, 'GET, POST or DELETE');
    }

    if (path === '/instances') {
      if (method !== 'POST') return methodNotAllowed(method, path, 'POST');
      const body = parseJsonBody(req.body);
      if ('error' in body) return body.error;
      const v = body.value as Record<string, unknown> | null;
      if (typeof v !== 'object' || v === null || typeof v.regionId !== 'string' || v.regionId === '') {
        return problem(400, 'body.regionId: must name the region to launch the instance in');
      }
      const spec = readInstanceSpec(v, 'body', ['regionId']);
      return json(201, instanceView(deps.state.launchInstance(v.regionId, spec)));
    }

    const instanceRole = /^\/instances\/([^/]+)\/role$/.exec(path);
    if (instanceRole) {
      if (method !== 'PUT') return methodNotAllowed(method, path, 'PUT');
      const body = parseJsonBody(req.body);
      if ('error' in body) return body.error;
      const v = body.value as { roleName?: unknown } | null;
      if (typeof v !== 'object' || v === null || !('roleName' in v) || (v.roleName !== null && (typeof v.roleName !== 'string' || v.roleName === ''))) {
        return problem(400, 'body.roleName: must be a role name, or null to detach');
      }
      const inst = deps.state.setInstanceRole(decodeURIComponent(instanceRole[1]!), v.roleName as string | null);
      return json(200, instanceView(inst));
    }

    const instance = /^\/instances\/([^/]+)$/.exec(path);
    if (instance) {
      const id = decodeURIComponent(instance[1]!);
      if (method === 'GET') {
        const inst = deps.state.instance(id);
        return inst ? json(200, instanceView(inst)) : problem(404, `instance ${id} does not exist`);
      }
      if (method === 'DELETE') {
        deps.state.releaseInstance(id);
        return NO_CONTENT;
      }
      return methodNotAllowed(method, path, 'GET or DELETE');
    }

    return problem(404, `no control-plane endpoint at /sim${path} (see docs/cloud-simulator.md)`);
  } catch (err) {
    if (err instanceof StateError) return stateErrorAnswer(err);
    if (err instanceof FleetValidationError) return problem(400, err.message);
    throw err;
  }
}
