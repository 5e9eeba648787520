/**
 * `ecs-role-operator` as a user meets it: --version, help texts that print durations as
 * durations, and bad flags or kubeconfigs that end with a message naming the flag or file and
 * the fix, and a non-zero exit, before anything connects anywhere.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { OPERATOR_CLI, REPO_ROOT, assertOperatorBuilt } from '../../e2e/process-helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'run-cli-'));
const emptyHome = mkdtempSync(join(tmpdir(), 'run-cli-home-'));

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  assertOperatorBuilt();
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: emptyHome, ...env };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [OPERATOR_CLI, ...args], { env: base, encoding: 'utf8', timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('ecs-role-operator', () => {
  it('--version prints the package version', async () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('run --help prints durations as durations', async () => {
    const { stdout } = await cli(['run', '--help']);
    expect(stdout).toMatch(/--resync-period <duration>\s+drift-check period .*\(default: 5m\)/);
    expect(stdout).toContain('(default: 15s)');
    for (const ms of ['300000', '15000', '10000', '2000']) expect(stdout).not.toContain(`(default: ${ms})`);
  });

  it.each([
    [['--resync-period', '1000h'], '--resync-period must be at most 24h, got "1000h"'],
    [['--resync-period', '500ms'], '--resync-period must be at least 1s, got "500ms"'],
    [['--leader-election-lease-duration', '1000h'], '--leader-election-lease-duration must be at most 1h, got "1000h"'],
  ])('run %j is refused before it starts: %s', async (args, message) => {
    const r = await cli(['run', ...args]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  it.each([
    ['a directory', () => scratch, `--kubeconfig ${scratch}: ${scratch} is a directory; pass the path of a kubeconfig file`],
    ['a file that is not YAML', () => (writeFileSync(join(scratch, 'bad'), 'a: [\n'), join(scratch, 'bad')), 'is not YAML'],
    ['{}', () => (writeFileSync(join(scratch, 'empty'), '{}\n'), join(scratch, 'empty')), 'has no current context: set one with `kubectl config use-context NAME`'],
  ])('run --kubeconfig with %s names the flag and the fix', async (_what, path, message) => {
    const r = await cli(['run', '--kubeconfig', path(), '--log-level', 'fatal']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
  });

  it.each([
    [['run', '--log-level', 'fatal']],
    [['audit', '--region', 'cn-hangzhou']],
  ])('%j without any kubeconfig says how to give one instead of trying localhost:8080', async (args) => {
    const r = await cli(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no kubeconfig found: pass --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run in a cluster');
    expect(r.stderr).not.toContain('localhost:8080');
  });
});
