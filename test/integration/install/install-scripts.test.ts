/**
 * `npm ci` is quiet and reproducible: every dependency that ships an install script has a
 * reviewed decision in package.json's allowScripts (npm 11 blocks unreviewed scripts and warns).
 * Both are denied: @alicloud/openapi-core's postinstall only installs an old TypeScript on Node
 * 10/12, and esbuild finds its platform binary through its optional dependency without one.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { packageRoot } from '../../../src/util/package-root.js';

it('leaves no install script of a dependency unreviewed', async () => {
  const { stdout } = await promisify(execFile)('npm', ['install-scripts', 'ls', '--json'], { cwd: packageRoot(), encoding: 'utf8' });
  const pending = (JSON.parse(stdout) as { allowScripts: Array<{ name: string; changes: Array<{ change: string }> }> }).allowScripts.filter((p) =>
    p.changes.some((c) => c.change === 'pending'),
  );
  expect(pending.map((p) => p.name), 'review with `npm install-scripts approve|deny <pkg>`').toEqual([]);
  const manifest = JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { allowScripts?: Record<string, boolean> };
  expect(manifest.allowScripts).toEqual({ '@alicloud/openapi-core': false, esbuild: false });
}, 60_000);
