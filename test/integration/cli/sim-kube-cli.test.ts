/** `ecs-role-operator sim kube`: prints where it listens, writes a kubeconfig kubectl can use, stops on SIGTERM. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, expect, it, vi } from 'vitest';
import { ensureKubeconfigFree, registerCommands, releaseKubeconfig } from '@ecs-role-operator/sandbox';
import { eventually, PROJECT_CRD_PATH } from '../kube-api/helpers.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it('prints its address and kubeconfig, installs the given CRDs, refuses a second server on the same kubeconfig, and closes on SIGTERM removing it', async () => {
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

  // A second emulator (or sandbox) given the same file refuses to overwrite a live kubeconfig.
  const second = new Command().exitOverride();
  registerCommands(second);
  await expect(second.parseAsync(['node', 'ecs-role-operator', 'sim', 'kube', '--port', '0', '--kubeconfig-out', kubeconfig])).rejects.toThrow(
    `${kubeconfig} is the kubeconfig of an API server still running at https://127.0.0.1:${m?.[1]}/: stop that one first (Ctrl-C), or pass --kubeconfig-out OTHER_FILE`,
  );
  expect(readFileSync(kubeconfig, 'utf8')).toContain(`server: https://127.0.0.1:${m?.[1]}`);

  process.emit('SIGTERM', 'SIGTERM');
  await running;
  await expect(fetch(`http://127.0.0.1:${m?.[1]}/version`)).rejects.toThrow();
  // Nothing is left behind pointing at the stopped server.
  expect(existsSync(kubeconfig)).toBe(false);
});

it('overwrites a stale kubeconfig whose server is gone, and removes only a kubeconfig that still points at its own server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-kube-claim-'));
  dirs.push(dir);
  const stale = join(dir, 'stale');
  // A port nothing listens on: bind one, note it, close it.
  const free = await new Promise<number>((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as AddressInfo).port;
      probe.close(() => done(port));
    });
  });
  writeFileSync(stale, `apiVersion: v1\nkind: Config\nclusters:\n- name: dead\n  cluster: {server: "https://127.0.0.1:${free}"}\n`);
  await expect(ensureKubeconfigFree(stale, '--kubeconfig-out')).resolves.toBeUndefined();
  releaseKubeconfig(stale, `https://127.0.0.1:${free === 65535 ? free - 1 : free + 1}`);
  expect(existsSync(stale), 'another server\'s kubeconfig is not ours to remove').toBe(true);
  releaseKubeconfig(stale, `https://127.0.0.1:${free}`);
  expect(existsSync(stale)).toBe(false);
});
