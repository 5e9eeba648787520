import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKubeconfig } from '../../../src/kube/kubeconfig-loader.js';

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-loader-'));
const emptyHome = mkdtempSync(join(tmpdir(), 'kubeconfig-home-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const good = write(
  'good',
  `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
);
const none = { env: {}, home: emptyHome, inClusterTokenFile: join(dir, 'no-token') };

describe('loadKubeconfig', () => {
  it('loads --kubeconfig and says where it came from', () => {
    const loaded = loadKubeconfig({ ...none, flag: good });
    expect(loaded.source).toBe(good);
    expect(loaded.config.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
  });

  it.each([
    ['a directory', () => dir, `--kubeconfig ${dir}: ${dir} is a directory; pass the path of a kubeconfig file`],
    ['a missing file', () => join(dir, 'nope'), 'does not exist; pass the path of a kubeconfig file'],
    ['a file that is not YAML', () => write('bad-yaml', 'clusters: [\n  - {'), 'is not YAML ('],
    ['a YAML list', () => write('list', '- a\n- b\n'), 'is not a kubeconfig (expected a YAML mapping'],
    ['an empty mapping', () => write('empty', '{}\n'), 'has no current context: set one with `kubectl config use-context NAME` (contexts: none)'],
    [
      'a context naming an unknown cluster',
      () => write('dangling', 'clusters: []\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: gone, user: u}}]\ncurrent-context: x\n'),
      'context x names no cluster that the file defines',
    ],
  ])('names the flag and the fix for %s', (_what, path, message) => {
    expect(() => loadKubeconfig({ ...none, flag: path() })).toThrow(message);
  });

  it('takes $KUBECONFIG before ~/.kube/config, naming it in errors', () => {
    expect(loadKubeconfig({ ...none, env: { KUBECONFIG: good } }).source).toBe(`KUBECONFIG=${good}`);
    expect(() => loadKubeconfig({ ...none, env: { KUBECONFIG: dir } })).toThrow(`KUBECONFIG=${dir}: ${dir} is a directory`);
  });

  it('falls back to ~/.kube/config', () => {
    const home = mkdtempSync(join(tmpdir(), 'kubeconfig-home-'));
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), `apiVersion: v1\nclusters: [{name: c, cluster: {server: "https://h:1"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
    expect(loadKubeconfig({ ...none, home }).config.getCurrentCluster()?.server).toBe('https://h:1');
  });

  it('says what to do when there is no kubeconfig at all, instead of trying localhost:8080', () => {
    expect(() => loadKubeconfig(none)).toThrow('no kubeconfig found: pass --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run in a cluster');
  });
});
