/**
 * One scenario's run against one target: every step (a kubectl command, an HTTP request, a
 * client-node call) is recorded as an observation, in order, so the two targets' runs can be
 * compared step by step.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Target } from './targets.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface Observation {
  step: string;
  /** What a user or client sees: exit code and output, or status code and body. */
  seen: Json;
}

export interface KubectlOptions {
  stdin?: string;
  /** Another kubeconfig (e.g. a ServiceAccount's). */
  kubeconfig?: string;
  /** The step name; default the command line. */
  step?: string;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HttpResult {
  status: number;
  body: Json;
}

export class TargetSession {
  readonly observations: Observation[] = [];
  private readonly cacheDir = mkdtempSync(join(tmpdir(), 'conformance-kubectl-'));
  readonly kubeConfig = new KubeConfig();

  constructor(readonly target: Target) {
    this.kubeConfig.loadFromFile(target.kubeconfigPath);
  }

  observe(step: string, seen: Json): void {
    this.observations.push({ step, seen });
  }

  /** Runs kubectl and records its exit code, stdout and stderr. */
  async kubectl(args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
    const result = await this.runKubectl(args, opts);
    this.observe(opts.step ?? `kubectl ${args.join(' ')}`, { exit: result.code, stdout: result.stdout, stderr: result.stderr });
    return result;
  }

  /** Retries an unrecorded kubectl command until it exits 0 (for what a real server does asynchronously). */
  async kubectlUntilOk(args: string[], timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.runKubectl(args);
      if (r.code === 0) return;
      if (Date.now() > until) throw new Error(`kubectl ${args.join(' ')} still fails on ${this.target.name}: ${r.stderr}`);
      await new Promise((done) => setTimeout(done, 250));
    }
  }

  /** Runs kubectl without recording it (setup whose outcome is not compared). */
  runKubectl(args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
    const kubeconfig = opts.kubeconfig ?? this.target.kubeconfigPath;
    return new Promise((done) => {
      const child = execFile(
        'kubectl',
        [`--kubeconfig=${kubeconfig}`, `--cache-dir=${this.cacheDir}`, ...args],
        { timeout: 30_000, env: { ...process.env, KUBECONFIG: '' }, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          done({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
      if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
    });
  }

  /** An HTTPS request as the admin (or with `token`), recorded as status and parsed body. */
  async http(method: string, path: string, body?: Json | string, headers: Record<string, string> = {}, step?: string): Promise<HttpResult> {
    const result = await this.rawHttp(method, path, body, headers);
    this.observe(step ?? `${method} ${path}`, { status: result.status, body: result.body });
    return result;
  }

  rawHttp(method: string, path: string, body?: Json | string, headers: Record<string, string> = {}): Promise<HttpResult> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((done, fail) => {
      const req = request(
        `${this.target.url}${path}`,
        {
          method,
          ca: this.target.caCertificate,
          headers: { authorization: `Bearer ${this.target.adminToken}`, accept: 'application/json', ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: Json = text;
            try {
              parsed = JSON.parse(text) as Json;
            } catch {
              // A watch stream: one JSON event per line.
              const lines = text.split('\n').filter((l) => l.trim() !== '');
              try {
                parsed = lines.map((l) => JSON.parse(l) as Json);
              } catch {
                parsed = text;
              }
            }
            done({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', fail);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** A client-node call recorded as its result, or as the API status it failed with. */
  async client<T>(step: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      const value = await call();
      this.observe(step, { ok: JSON.parse(JSON.stringify(value ?? null)) as Json });
      return value;
    } catch (err) {
      const e = err as { code?: number; body?: unknown };
      let body: Json = String(e.body ?? err);
      if (typeof e.body === 'string') {
        try {
          body = JSON.parse(e.body) as Json;
        } catch {
          body = e.body;
        }
      }
      this.observe(step, { failed: { code: e.code ?? null, body } });
      return undefined;
    }
  }

  cleanup(): void {
    rmSync(this.cacheDir, { recursive: true, force: true });
  }
}
