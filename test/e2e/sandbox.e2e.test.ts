/**
 * The README's first command: `ecs-role-operator sandbox` starts everything, applies the examples,
 * and kubectl works against the kubeconfig it prints.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { metricValue, parseMetrics } from './process-helpers.js';
import { eventually } from './world.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/ecs-role-operator.mjs');
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('ecs-role-operator sandbox', () => {
  it('runs the emulator, the simulator and the operator; the example binding becomes Ready; Ctrl-C stops it', { timeout: 90_000 }, async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (make test does) first`);
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'irb-sandbox-')), 'kubeconfig');
    child = spawn(process.execPath, [CLI, 'sandbox', '--kubeconfig-out', kubeconfig, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await eventually('the sandbox banner', async () => out.includes('Press Ctrl-C to stop.'), 30_000);
    expect(out).toContain(`kubeconfig:              ${kubeconfig}`);
    const cloudUrl = /cloud simulator:\s+(\S+)/.exec(out)?.[1];
    expect(cloudUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const ready = await eventually('oss-readers Ready', async () => {
      const r = await exec('kubectl', ['--kubeconfig', kubeconfig, 'get', 'irb', '-A']).catch(() => ({ stdout: '' }));
      return /oss-readers\s+EcsRamRoleDocumentTesting\s+cn-hangzhou\s+4\s+4\s+True\s+AllInstancesBound/.test(r.stdout) ? r.stdout : undefined;
    }, 30_000);
    expect(ready).toContain('NAMESPACE');

    const state = (await (await fetch(`${cloudUrl}/sim/state`)).json()) as { regions: Array<{ instances: Array<{ id: string; ramRole?: string | null }> }> };
    const web1 = state.regions.flatMap((r) => r.instances).find((i) => i.id === 'i-bp1web0001');
    expect(web1?.ramRole).toBe('EcsRamRoleDocumentTesting');

    // The banner's metrics and health URLs answer, with the gauges of the first pass.
    const metricsUrl = /metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(out)?.[1];
    const readyzUrl = /health:\s+\S+\s+(http:\/\/127\.0\.0\.1:\d+\/readyz)/.exec(out)?.[1];
    expect(metricsUrl).toBeDefined();
    expect((await fetch(readyzUrl as string)).status).toBe(200);
    // The gauges follow the passes: published at most a second after one. They used to wait for a
    // 5 s timer and read the informer's lagging copy ("bindings{ready=true} 0" while Ready), which
    // the 3.5 s allowed here would not cover.
    await eventually('the gauges of the first pass', async () => {
      const samples = parseMetrics(await (await fetch(metricsUrl as string)).text());
      return metricValue(samples, 'ecs_role_operator_bindings', { ready: 'true' }) === 1 && metricValue(samples, 'ecs_role_operator_instances', { state: 'Bound' }) === 4;
    }, 3_500);

    // The banner's audit recipe works as printed (ecs-role-operator on PATH as the README says).
    const recipe = /^ {2}(ALIBABA_CLOUD_ACCESS_KEY_ID=\S+) (ALIBABA_CLOUD_ACCESS_KEY_SECRET=\S+) \\\n {4}(ecs-role-operator audit .*)$/m.exec(out);
    expect(recipe, out).not.toBeNull();
    const audit = await exec('sh', ['-c', `${recipe?.[1]} ${recipe?.[2]} ${recipe?.[3]} --output json`], {
      env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
    }).catch((err: { code?: number; stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '', code: err.code }));
    const report = JSON.parse(audit.stdout) as { instances: Array<{ instanceId: string; verdict: string }> };
    expect(report.instances.find((i) => i.instanceId === 'i-bp1web0001')?.verdict).toBe('InSync');

    // A second sandbox must not take over the running one's kubeconfig.
    const second = await exec(process.execPath, [CLI, 'sandbox', '--kubeconfig-out', kubeconfig, '--log-level', 'warn']).catch(
      (err: { code?: number; stderr?: string }) => ({ code: err.code, stderr: err.stderr ?? '' }),
    );
    expect(second).toMatchObject({ code: 1 });
    expect((second as { stderr: string }).stderr).toContain(`${kubeconfig} is the kubeconfig of an API server still running at`);

    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child?.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    // Nothing is left behind pointing at the stopped emulator.
    expect(existsSync(kubeconfig)).toBe(false);
  });
});
