/**
 * The real control plane launcher: pinned versions come from the Go modules, the API server
 * answers the real kubectl with RBAC on, a ServiceAccount token from TokenRequest authenticates,
 * and stop() leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedVersions } from '../src/real-kube/versions.js';
import { type RealKube, startRealKube } from '../src/real-kube/control-plane.js';

const run = promisify(execFile);

it('reads the pinned Kubernetes and etcd versions from the go.mod files', () => {
  const versions = pinnedVersions();
  expect(versions.kubernetes).toMatch(/^v1\.\d+\.\d+$/);
  expect(versions.etcd).toMatch(/^v3\.[56]\.\d+$/);
});

describe('startRealKube', () => {
  let kube: RealKube;
  const dir = mkdtempSync(join(tmpdir(), 'real-kube-test-'));
  const kubectl = (args: string[], kubeconfig = kube.kubeconfigPath) =>
    run('kubectl', [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(dir, 'cache')}`, ...args], { encoding: 'utf8' });

  beforeAll(async () => {
    kube = await startRealKube({ kubeconfigOut: join(dir, 'kubeconfig'), log: () => undefined });
  }, 600_000);
  afterAll(async () => {
    await kube?.stop();
  });

  it('serves kubectl with the pinned version, built-in kinds from protobuf bodies included', async () => {
    const version = JSON.parse((await kubectl(['version', '-o', 'json'])).stdout) as { serverVersion: { gitVersion: string } };
    expect(version.serverVersion.gitVersion).toBe(kube.versions.kubernetes);
    expect((await kubectl(['create', 'namespace', 'launcher-test'])).stdout).toContain('namespace/launcher-test created');
  });

  it('authorizes with RBAC: a fresh ServiceAccount token from TokenRequest may not list secrets', async () => {
    await kubectl(['create', 'serviceaccount', 'nobody', '-n', 'launcher-test']);
    const token = (await kubectl(['create', 'token', 'nobody', '-n', 'launcher-test'])).stdout.trim();
    const saConfig = join(dir, 'sa-kubeconfig');
    writeFileSync(saConfig, kube.kubeconfigFor(token));
    const whoami = await kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], saConfig);
    expect(whoami.stdout).toBe('system:serviceaccount:launcher-test:nobody');
    const denied = await kubectl(['get', 'secrets', '-n', 'launcher-test'], saConfig).then(
      () => 'allowed',
      (err: { stderr?: string }) => err.stderr ?? '',
    );
    expect(denied).toContain('cannot list resource "secrets"');
  });

  it('runs the controller-manager: deleting a namespace finishes', async () => {
    await kubectl(['delete', 'namespace', 'launcher-test', '--wait=true', '--timeout=60s']);
    const after = await kubectl(['get', 'namespace', 'launcher-test']).then(
      () => 'still there',
      (err: { stderr?: string }) => err.stderr ?? '',
    );
    expect(after).toContain('NotFound');
  }, 90_000);

  it('stop() removes the data directory and the kubeconfig', async () => {
    const { dataDir, kubeconfigPath } = kube;
    await kube.stop();
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(kubeconfigPath)).toBe(false);
  });
});
