import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import type { ModeReport } from './ecs-ram-role-provider.child.js';

/**
 * Issue 13 item 13, through the SDK's own ECS RAM role provider. Its metadata host is fixed at
 * http://100.100.100.200, so each case runs in a child process inside a network namespace of its
 * own (`unshare -n`; nothing routed out) where that address is local and the simulator serves
 * one instance's metadata on port 80.
 *
 * Documented (ECS "Access instance metadata in security hardening mode only"): with HttpTokens
 * required, metadata is served only to requests carrying a token from PUT /latest/api/token;
 * in normal mode plain GETs are answered too.
 */

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./ecs-ram-role-provider.child.ts', import.meta.url));
const VITE_NODE = join(dirname(createRequire(import.meta.url).resolve('vite-node/package.json')), 'vite-node.mjs');
const NAMESPACE_SETUP = 'ip link set lo up && ip addr add 100.100.100.200/32 dev lo';

async function reportIn(instanceId: string): Promise<ModeReport> {
  const { stdout } = await run('unshare', ['-n', 'sh', '-c', `${NAMESPACE_SETUP} && exec "$0" "$1" "$2" "$3"`, process.execPath, VITE_NODE, CHILD, instanceId], {
    timeout: 25_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ModeReport;
}

const PROVIDERS = ['ecs_ram_role', 'ecs_ram_role, roleName, disableIMDSv1', 'default chain'];

test('normal mode: plain GETs and token GETs are answered; the SDK provider and the default chain get working STS credentials', async () => {
  const report = await reportIn('i-normal');
  expect(report).toMatchObject({ instanceId: 'i-normal', metadataTokens: 'optional', plainGetStatus: 200, tokenGetStatus: 200 });
  expect(Object.keys(report.providers)).toEqual(PROVIDERS);
  for (const name of PROVIDERS) expect(report.providers[name], name).toMatchObject({ ok: true, signedAs: expect.stringMatching(/^STS\./) });
});

test('security hardening mode: a plain GET is refused with 403; the SDK provider (token first) and the default chain still get working STS credentials', async () => {
  const report = await reportIn('i-hardened');
  expect(report).toMatchObject({ instanceId: 'i-hardened', metadataTokens: 'required', plainGetStatus: 403, tokenGetStatus: 200 });
  expect(Object.keys(report.providers)).toEqual(PROVIDERS);
  for (const name of PROVIDERS) expect(report.providers[name], name).toMatchObject({ ok: true, signedAs: expect.stringMatching(/^STS\./) });
});
