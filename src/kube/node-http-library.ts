/**
 * The transport of the API clients (client-node's `httpApi` extension point): one request over
 * node:http(s) with the agent the KubeConfig chose, instead of the library's default node-fetch.
 *
 * The library's default wraps every call in node-fetch's Request, Headers and body streams
 * (a PassThrough per response, headers copied twice). At a thousand writes a second that
 * wrapping, and the garbage it leaves, was a large part of the operator's CPU. This sends the
 * same method, URL, headers and body on the same agent (so the same TLS identity, CA and
 * keep-alive connections), and hands the library the status, headers and body text it parses.
 * Compressed answers are decoded as node-fetch did, should a server send one unasked.
 */
import { request as httpRequest, type IncomingMessage, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { type PromiseHttpLibrary, type RequestContext, ResponseContext } from '@kubernetes/client-node';

export const nodeHttpLibrary: PromiseHttpLibrary = { send };

function send(context: RequestContext): Promise<ResponseContext> {
  const body = context.getBody();
  if (body !== undefined && typeof body !== 'string') {
    return Promise.reject(new Error(`kubernetes request ${context.getHttpMethod()} ${context.getUrl()}: only JSON text bodies are sent by this transport`));
  }
  const url = new URL(context.getUrl());
  const headers: Record<string, string | number> = { ...context.getHeaders() };
  if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
  const agent = context.getAgent() as HttpAgent | HttpsAgent | undefined;
  const signal = context.getSignal();
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<ResponseContext>((resolve, reject) => {
    const req = request(url, { method: context.getHttpMethod(), headers, ...(agent ? { agent } : {}), ...(signal ? { signal } : {}) }, (res) => {
      readBody(res).then((bytes) => {
        resolve(new ResponseContext(res.statusCode ?? 0, flatHeaders(res), { text: () => Promise.resolve(bytes.toString('utf8')), binary: () => Promise.resolve(bytes) }));
      }, reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The response's headers as the library reads them: lower-case names, repeated values joined. */
function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function decoded(res: IncomingMessage): Readable {
  switch ((res.headers['content-encoding'] ?? '').toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(createGunzip());
    case 'deflate':
      return res.pipe(createInflate());
    case 'br':
      return res.pipe(createBrotliDecompress());
    default:
      return res;
  }
}

function readBody(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stream = decoded(res);
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    stream.on('error', reject);
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('the Kubernetes API server closed the connection before its response ended'));
    });
  });
}
