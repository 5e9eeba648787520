/**
 * An end-to-end world for tests: the Kubernetes API emulator, the cloud simulator and the operator,
 * all in this process on 127.0.0.1, driven with the real kubectl and observed through the cloud
 * simulator's control plane (/sim/).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import type { InstanceRoleBinding } from '../../src/api/instance-role-binding.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { type CallRecord, parseFleet } from '../../src/sim/cloud/index.js';

const run = promisify(execFile);

export type { CallRecord };

export interface World {
  sandbox: Sandbox;
  kubeconfig: string;
  cloudUrl: string;
  kubectl(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }>;
  apply(yaml: string): Promise<void>;
  binding(namespace: string, name: string): Promise<InstanceRoleBinding | undefined>;
  roleOf(instanceId: string): Promise<string | null>;
  setRole(instanceId: string, roleName: string | null): Promise<void>;
  calls(): Promise<CallRecord[]>;
  clearCalls(): Promise<void>;
  sim(method: string, path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export interface WorldOptions {
  fleetYaml: string;
  defaultResyncMs?: number;
}

export async function startWorld(opts: WorldOptions): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'irb-e2e-'));
  const logger = pino({ level: process.env.E2E_LOG_LEVEL ?? 'silent' });
  const sandbox = await startSandbox({
    logger,
    kubePort: 0,
    cloudPort: 0,
    fleet: parseFleet(opts.fleetYaml),
    examplesPath: '',
    kubeconfigPath: join(dir, 'kubeconfig'),
    defaultResyncMs: opts.defaultResyncMs ?? 60_000,
    concurrency: 4,
    qps: 100,
    batchWindowMs: 5,
  });
  const kubeconfig = sandbox.kubeconfigPath;
  const cloudUrl = sandbox.cloud.url;

  const kubectl: World['kubectl'] = async (args, input) => {
    return new Promise((resolve) => {
      const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        resolve({ stdout, stderr, code });
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  };

  const sim = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${cloudUrl}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };

  return {
    sandbox,
    kubeconfig,
    cloudUrl,
    kubectl,
    apply: async (yaml) => {
      const r = await kubectl(['apply', '-f', '-'], yaml);
      if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
    },
    binding: async (namespace, name) => {
      const r = await kubectl(['get', 'irb', '-n', namespace, name, '-o', 'json']);
      if (r.code !== 0) return undefined;
      return JSON.parse(r.stdout) as InstanceRoleBinding;
    },
    roleOf: async (instanceId) => {
      const state = (await sim('GET', '/sim/state')) as {
        regions: Array<{ instances: Array<{ id: string; ramRole?: string | null }> }>;
      };
      for (const region of state.regions) {
        const found = region.instances.find((i) => i.id === instanceId);
        if (found) return found.ramRole ?? null;
      }
      throw new Error(`instance ${instanceId} is not in the simulator`);
    },
    setRole: async (instanceId, roleName) => {
      await sim('PUT', `/sim/instances/${instanceId}/role`, { roleName });
    },
    calls: async () => (await sim('GET', '/sim/calls')) as CallRecord[],
    clearCalls: async () => {
      await sim('DELETE', '/sim/calls');
    },
    sim,
    stop: () => sandbox.stop(),
  };
}

/** Polls until `check` returns a value other than undefined/false, or fails with the last value seen. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function condition(b: InstanceRoleBinding | undefined, type: string) {
  return b?.status?.conditions?.find((c) => c.type === type);
}

export function instanceState(b: InstanceRoleBinding | undefined, id: string) {
  return b?.status?.instances?.find((i) => i.instanceId === id);
}

export { run };
