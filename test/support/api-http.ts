/**
 * Plain HTTPS to a Kubernetes target's API server with a bearer token, verifying the server with
 * the target's CA (global fetch cannot be given a CA): for tests that look at raw status codes,
 * headers and bodies.
 */
import { request } from 'node:https';
import type { KubeTarget } from './kube-target.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
}

export function apiRequest(
  kube: Pick<KubeTarget, 'url' | 'caCertificate' | 'adminToken'>,
  method: string,
  path: string,
  opts: { body?: string; headers?: Record<string, string>; token?: string } = {},
): Promise<ApiResponse> {
  return new Promise((done, fail) => {
    const req = request(
      new URL(path, kube.url),
      { method, ca: kube.caCertificate, headers: { authorization: `Bearer ${opts.token ?? kube.adminToken}`, ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
          done({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(opts.body);
  });
}
