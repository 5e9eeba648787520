/**
 * Runs the Argo CD health check (deploy/argocd/instancerolebinding-health.lua) in a Lua VM
 * against InstanceRoleBinding objects in each state, and checks docs/operations.md shows the same script.
 * Argo CD runs gopher-lua (5.1); fengari is 5.3; the script keeps to what both share.
 */
import { readFile } from 'node:fs/promises';
import fengari from 'fengari';
import { beforeAll, describe, expect, it } from 'vitest';
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

describe('Argo CD health check for InstanceRoleBinding', () => {
  it('is Progressing before the operator wrote any status', () => {
    expect(health(binding(1))).toEqual({ status: 'Progressing', message: 'Waiting for the operator to reconcile this binding' });
  });

  it('is Healthy when Ready is True for the current generation', () => {
    const status = {
      observedGeneration: 2,
      conditions: [condition('Ready', 'True', 'AllInstancesBound', '2/2 instances carry EcsRamRoleDocumentTesting')],
    };
    expect(health(binding(2, status))).toEqual({
      status: 'Healthy',
      message: 'AllInstancesBound: 2/2 instances carry EcsRamRoleDocumentTesting',
    });
  });

  it('is Progressing when Ready is True but for an older generation', () => {
    const status = { observedGeneration: 1, conditions: [condition('Ready', 'True', 'AllInstancesBound', 'ok')] };
    expect(health(binding(2, status))).toEqual({
      status: 'Progressing',
      message: 'Waiting for the operator to observe generation 2',
    });
  });

  it('is Progressing while Reconciling, showing the Ready reason', () => {
    const status = {
      observedGeneration: 3,
      conditions: [
        condition('Ready', 'False', 'Attaching', 'attaching EcsRamRoleDocumentTesting to 1 instance'),
        condition('Reconciling', 'True', 'Attaching', 'attaching'),
      ],
    };
    expect(health(binding(3, status))).toEqual({
      status: 'Progressing',
      message: 'Attaching: attaching EcsRamRoleDocumentTesting to 1 instance',
    });
  });

  it('is Degraded when Stalled is True, whatever the generation', () => {
    const status = {
      observedGeneration: 4,
      conditions: [
        condition('Ready', 'False', 'RoleNotTrusted', 'role X does not trust ecs.aliyuncs.com'),
        condition('Stalled', 'True', 'RoleNotTrusted', 'role X does not trust ecs.aliyuncs.com'),
      ],
    };
    expect(health(binding(4, status))).toEqual({ status: 'Degraded', message: 'RoleNotTrusted: role X does not trust ecs.aliyuncs.com' });
    expect(health(binding(5, status)).status).toBe('Degraded');
  });

  it('is Suspended when spec.suspend is true', () => {
    expect(health(binding(1, undefined, { suspend: true })).status).toBe('Suspended');
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
