/**
 * Runs the Argo CD health check (deploy/argocd/instancerolebinding-health.lua) in a Lua VM
 * against InstanceRoleBinding objects in each state, hand-made and as each Kubernetes target stored
 * and returned them, and checks docs/operations.md shows the same script.
 * Argo CD runs gopher-lua (5.1); fengari is 5.3; the script keeps to what both share.
 */
import { readFile } from 'node:fs/promises';
import fengari from 'fengari';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../../support/kube-target.js';
import { kubectlAgainst } from './install.js';
import { REPO_ROOT } from './render.js';

const { lua, lauxlib, lualib, to_luastring } = fengari;
let script: string;

beforeAll(async () => {
  script = await readFile(`${REPO_ROOT}deploy/argocd/instancerolebinding-health.lua`, 'utf8');
});

/** A JSON-like value as a Lua table constructor. */
function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(', ')}}`;
  const fields = Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${JSON.stringify(k)}] = ${luaLiteral(v)}`);
  return `{${fields.join(', ')}}`;
}

function health(obj: unknown): { status: string; message: string } {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const program = `local obj = ${luaLiteral(obj)}\nlocal function check()\n${script}\nend\nlocal hs = check()\nreturn hs.status, hs.message`;
  if (lauxlib.luaL_loadstring(L, to_luastring(program)) !== lua.LUA_OK) throw new Error(`Lua syntax: ${lua.lua_tojsstring(L, -1)}`);
  if (lua.lua_pcall(L, 0, 2, 0) !== lua.LUA_OK) throw new Error(`Lua error: ${lua.lua_tojsstring(L, -1)}`);
  return { status: lua.lua_tojsstring(L, -2), message: lua.lua_tojsstring(L, -1) };
}

const NAMESPACE = 'platform';

const condition = (type: string, status: string, reason: string, message: string) => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2026-11-23T10:00:00Z',
});

function binding(generation: number, status?: Record<string, unknown>, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'roles.ecs.dev/v1alpha1',
    kind: 'InstanceRoleBinding',
    metadata: { name: 'oss-readers', namespace: 'platform', generation },
    spec: { regionId: 'cn-hangzhou', roleName: 'EcsRamRoleDocumentTesting', instanceIds: ['i-bp1abc'], ...spec },
    ...(status ? { status } : {}),
  };
}

const STALLED = {
  observedGeneration: 4,
  conditions: [
    condition('Ready', 'False', 'RoleNotTrusted', 'role X does not trust ecs.aliyuncs.com'),
    condition('Stalled', 'True', 'RoleNotTrusted', 'role X does not trust ecs.aliyuncs.com'),
  ],
};

/** Each state of a binding and what Argo CD must show for it. */
const CASES: Array<{ what: string; object: ReturnType<typeof binding>; expected: { status: string; message?: string } }> = [
  {
    what: 'Progressing before the operator wrote any status',
    object: binding(1),
    expected: { status: 'Progressing', message: 'Waiting for the operator to reconcile this binding' },
  },
  {
    what: 'Healthy when Ready is True for the current generation',
    object: binding(2, {
      observedGeneration: 2,
      conditions: [condition('Ready', 'True', 'AllInstancesBound', '2/2 instances carry EcsRamRoleDocumentTesting')],
    }),
    expected: { status: 'Healthy', message: 'AllInstancesBound: 2/2 instances carry EcsRamRoleDocumentTesting' },
  },
  {
    what: 'Progressing when Ready is True but for an older generation',
    object: binding(2, { observedGeneration: 1, conditions: [condition('Ready', 'True', 'AllInstancesBound', 'ok')] }),
    expected: { status: 'Progressing', message: 'Waiting for the operator to observe generation 2' },
  },
  {
    what: 'Progressing while Reconciling, showing the Ready reason',
    object: binding(3, {
      observedGeneration: 3,
      conditions: [
        condition('Ready', 'False', 'Attaching', 'attaching EcsRamRoleDocumentTesting to 1 instance'),
        condition('Reconciling', 'True', 'Attaching', 'attaching'),
      ],
    }),
    expected: { status: 'Progressing', message: 'Attaching: attaching EcsRamRoleDocumentTesting to 1 instance' },
  },
  {
    what: 'Degraded when Stalled is True',
    object: binding(4, STALLED),
    expected: { status: 'Degraded', message: 'RoleNotTrusted: role X does not trust ecs.aliyuncs.com' },
  },
  { what: 'Degraded when Stalled is True, whatever the generation', object: binding(5, STALLED), expected: { status: 'Degraded' } },
  { what: 'Suspended when spec.suspend is true', object: binding(1, undefined, { suspend: true }), expected: { status: 'Suspended' } },
];

describe('Argo CD health check for InstanceRoleBinding', () => {
  it.each(CASES)('is $what', ({ object, expected }) => {
    expect(health(object)).toMatchObject(expected);
  });

  it('appears verbatim in docs/operations.md', async () => {
    const docs = await readFile(`${REPO_ROOT}docs/operations.md`, 'utf8');
    const indented = script
      .trimEnd()
      .split('\n')
      .map((line) => (line === '' ? '' : `    ${line}`))
      .join('\n');
    expect(docs).toContain(indented);
  });
});

/**
 * The same states, as a Kubernetes API server stores and returns them: the binding created and its
 * spec changed until it has the generation of the case, the status written through the status
 * subresource, and the health check run on what `kubectl get -o json` printed.
 */
describeEachTarget('Argo CD health check on objects the API server returned', (target) => {
  let kube: KubeTarget;
  let n = 0;
  const kubectl = (...args: string[]) => kubectlAgainst(kube, ...args);

  beforeAll(async () => {
    kube = await startKubeTarget(target);
    await kubectl('create', 'namespace', NAMESPACE);
  });
  afterAll(async () => {
    await kube?.stop();
  });

  /** Stores `object` (its generation reached by spec changes) and returns what the server gives back. */
  async function roundTrip(object: ReturnType<typeof binding>): Promise<unknown> {
    const name = `case-${++n}`;
    const wanted = object.metadata.generation;
    const spec = (instanceIds: string[]) => ({ ...object.spec, instanceIds });
    const manifest = (s: Record<string, unknown>) => JSON.stringify({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name, namespace: NAMESPACE }, spec: s });
    // Every spec change is a new generation; the last change (if any) leaves the case's own spec.
    const steps = [...Array.from({ length: wanted - 1 }, (_, i) => spec([`i-bp1step${i}`])), object.spec];
    await kubectlIn('create', '-f', '-')(manifest(steps[0]!));
    for (const s of steps.slice(1)) await kubectlIn('apply', '--server-side', '--field-manager=test', '-f', '-')(manifest(s));
    if ('status' in object) {
      await kubectl('patch', 'irb', '-n', NAMESPACE, name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: object.status }));
    }
    const stored = JSON.parse(await kubectl('get', 'irb', '-n', NAMESPACE, name, '-o', 'json')) as { metadata: { generation: number } };
    expect(stored.metadata.generation).toBe(wanted);
    return stored;
  }

  function kubectlIn(...args: string[]): (input: string) => Promise<string> {
    return (input) =>
      new Promise((done, fail) => {
        const child = execFile('kubectl', ['--kubeconfig', kube.kubeconfigPath, ...args], (err, stdout, stderr) => (err ? fail(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : done(stdout)));
        child.stdin?.end(input);
      });
  }

  it.each(CASES)('is $what', async ({ object, expected }) => {
    expect(health(await roundTrip(object))).toMatchObject(expected);
  });
});
