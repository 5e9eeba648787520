import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { createAlibabaCloudApi } from '../../../src/cloud/alibaba-cloud-api.js';
import { createAccessKeyCredential } from '../../../src/cloud/credentials.js';

/**
 * `ecs-role-operator sim cloud` as a process: the built CLI (dist/, as CI builds before testing),
 * or the TypeScript entry point through vite-node when no build exists.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILT = join(ROOT, 'dist/ecs-role-operator.mjs');

function startCli(args: string[]): ChildProcessWithoutNullStreams {
  const [command, prefix] = existsSync(BUILT)
    ? [process.execPath, [BUILT]]
    : [join(ROOT, 'node_modules/.bin/vite-node'), [join(ROOT, 'src/cli/main.ts'), '--']];
  return spawn(command, [...prefix, 'sim', 'cloud', ...args], { cwd: ROOT, stdio: 'pipe' });
}

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function waitForLine(child: ChildProcessWithoutNullStreams, pattern: RegExp, deadlineMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${deadlineMs} ms; stdout: ${out}; stderr: ${err}`)), deadlineMs);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing ${pattern}; stderr: ${err}`));
    });
  });
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    if (child.exitCode !== null) resolve({ code: child.exitCode, stderr });
    else child.on('exit', (code) => resolve({ code, stderr }));
  });
}

test('`sim cloud --port 0` prints its endpoint, serves the sample fleet to the SDK, and exits cleanly on SIGTERM', async () => {
  const child = startCli(['--port', '0']);
  children.push(child);
  const [, endpoint] = await waitForLine(child, /cloud simulator listening on (127\.0\.0\.1:\d+)/, 25_000);
  const cloud = createAlibabaCloudApi({
    ecsEndpoint: endpoint!,
    ramEndpoint: endpoint!,
    protocol: 'http',
    credential: createAccessKeyCredential('LTAI5tOperator', 'operator-secret'),
  });
  const instances = await cloud.describeInstances('cn-hangzhou', {});
  expect(instances.map((i) => i.instanceId)).toContain('i-bp1web0001');
  const exited = exitOf(child);
  child.kill('SIGTERM');
  expect((await exited).code).toBe(0);
}, 40_000);

test('`sim cloud` with an invalid fleet exits 1 naming the file and the bad field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
  const fleet = join(dir, 'fleet.yaml');
  writeFileSync(fleet, 'regions:\n  - id: cn-hangzhou\n    instances:\n      - {id: i-1, network: ipv6}\n');
  const child = startCli(['--port', '0', '--fleet', fleet]);
  children.push(child);
  const { code, stderr } = await exitOf(child);
  expect(code).toBe(1);
  expect(stderr).toContain('regions[0].instances[0].network: must be "vpc" or "classic"');
  expect(stderr).toContain(fleet);
}, 40_000);
