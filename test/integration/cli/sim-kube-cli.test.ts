/** `ecs-role-operator sim kube`: prints where it listens, writes a kubeconfig kubectl can use, stops on SIGTERM. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, expect, it, vi } from 'vitest';
import { registerCommands } from '@ecs-role-operator/sandbox';
import { eventually, PROJECT_CRD_PATH } from '../kube-api/helpers.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it('prints its address and kubeconfig, installs the given CRDs, and closes on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-kube-cli-'));
  dirs.push(dir);
  const kubeconfig = join(dir, 'out', 'kubeconfig');
  const printed: string[] = [];
  const realWrite = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (String(chunk).startsWith('kube emulator')) {
      printed.push(String(chunk));
      return true;
    }
    return realWrite(chunk, ...(rest as []));
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const program = new Command().exitOverride();
  registerCommands(program);
  const running = program.parseAsync(['node', 'ecs-role-operator', 'sim', 'kube', '--port', '0', '--kubeconfig-out', kubeconfig, '--install', PROJECT_CRD_PATH]);

  const line = await eventually('the listening line', () => printed[0]);
  const m = /^kube emulator listening on http:\/\/127\.0\.0\.1:(\d+) \(kubeconfig: (.+)\)\n$/.exec(line);
  expect(m?.[2]).toBe(kubeconfig);
  expect(readFileSync(kubeconfig, 'utf8')).toContain(`server: https://127.0.0.1:${m?.[1]}`);
  const crds = await promisify(execFile)('kubectl', [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(dir, 'cache')}`, 'get', 'crd', '-o', 'name'], { encoding: 'utf8' });
  expect(crds.stdout.trim()).toBe('customresourcedefinition.apiextensions.k8s.io/instancerolebindings.roles.ecs.dev');

  process.emit('SIGTERM', 'SIGTERM');
  await running;
  await expect(fetch(`http://127.0.0.1:${m?.[1]}/version`)).rejects.toThrow();
});
