/** Shared helpers for the Kubernetes API tests (either target): real kubectl, test CRDs, polling. */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';


export const PROJECT_CRD_PATH = fileURLToPath(new URL('../../../crds/instancerolebindings.roles.ecs.dev.yaml', import.meta.url));
export const DEPLOY_DIR = fileURLToPath(new URL('../../../deploy', import.meta.url));

/**
 * A small namespaced test kind: default, enum, pattern, CEL rule with a transition rule,
 * status subresource, printer columns, short name and category.
 */
export const WIDGET_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.test.example.dev
spec:
  group: test.example.dev
  scope: Namespaced
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget, shortNames: [wd], categories: [testing]}
  versions:
    - name: v1
      served: true
      storage: true
      subresources: {status: {}}
      additionalPrinterColumns:
        - {name: Size, type: integer, jsonPath: .spec.size}
        - {name: Color, type: string, jsonPath: .spec.color}
        - {name: Phase, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].reason'}
        - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              description: What the widget should look like.
              required: [size]
              properties:
                size: {type: integer, minimum: 1, maximum: 100, description: How big the widget is.}
                color: {type: string, enum: [red, green, blue], default: green, description: The paint.}
                owner:
                  type: string
                  description: Who owns it; cannot change once set.
                  x-kubernetes-validations:
                    - {rule: self == oldSelf, message: owner is immutable}
            status:
              type: object
              properties:
                observedGeneration: {type: integer}
                conditions:
                  type: array
                  items:
                    type: object
                    properties:
                      type: {type: string}
                      status: {type: string}
                      reason: {type: string}
`;

/** A cluster-scoped kind without a status subresource. */
export const GADGET_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.test.example.dev
spec:
  group: test.example.dev
  scope: Cluster
  names: {kind: Gadget, plural: gadgets, shortNames: [gd]}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              x-kubernetes-preserve-unknown-fields: true
`;

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against a Kubernetes target with its own kubeconfig and discovery cache. */
export class Kubectl {
  readonly dir: string;
  private readonly kubeconfig: string;

  constructor(target: { kubeconfigPath: string }, kubeconfigText?: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'kubectl-test-'));
    if (kubeconfigText) {
      this.kubeconfig = join(this.dir, 'kubeconfig');
      writeFileSync(this.kubeconfig, kubeconfigText, { mode: 0o600 });
    } else {
      this.kubeconfig = target.kubeconfigPath;
    }
  }

  private args(args: string[]): string[] {
    return [`--kubeconfig=${this.kubeconfig}`, `--cache-dir=${join(this.dir, 'cache')}`, ...args];
  }

  run(args: string[], input?: string): Promise<KubectlResult> {
    return new Promise((done) => {
      const child = execFile('kubectl', this.args(args), { timeout: 20_000, env: { ...process.env, KUBECONFIG: '' } }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  /** Runs kubectl and fails with its stderr when it does not exit 0. */
  async ok(args: string[], input?: string): Promise<string> {
    const r = await this.run(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  spawn(args: string[]): ChildProcessWithoutNullStreams {
    return spawn('kubectl', this.args(args), { env: { ...process.env, KUBECONFIG: '' } });
  }

  /** A file in this kubectl's scratch directory. */
  file(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after the deadline. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, deadlineMs = 10_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The Status object inside a client-node ApiException (its body is JSON text or parsed JSON). */
export function statusOf(err: unknown): { code: number; reason: string; message: string; kind: string; details?: Record<string, unknown> } {
  const e = err as { code?: number; body?: unknown };
  const body = typeof e.body === 'string' ? (JSON.parse(e.body) as unknown) : e.body;
  const status = body as { code: number; reason: string; message: string; kind: string; details?: Record<string, unknown> };
  if (!status || status.kind !== 'Status') throw new Error(`not an API error with a Status body: ${String(err)}`);
  return status;
}

/** Awaits a promise that must reject with an API Status, and returns that Status. */
export async function rejection(p: Promise<unknown>): Promise<ReturnType<typeof statusOf>> {
  try {
    await p;
  } catch (err) {
    return statusOf(err);
  }
  throw new Error('expected the call to fail');
}
