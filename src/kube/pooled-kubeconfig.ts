/**
 * A KubeConfig whose requests share keep-alive connections.
 *
 * @kubernetes/client-node 1.x builds a fresh https.Agent for every request, so every API call
 * pays a new TCP connection and TLS handshake. For an operator writing status for thousands of
 * objects that is most of its CPU. This subclass lets the library compute its agent as usual
 * (CA, client certificate, proxy, TLS options), then swaps in one cached keep-alive agent per
 * distinct set of those options.
 *
 * The API clients it makes (makeApiClient) send at most `maxRequests` requests at once: a
 * controller with hundreds of passes in flight queues its writes on a few keep-alive
 * connections instead of opening (and TLS-handshaking, and holding the buffers of) one connection
 * per request. The cap is a request queue, not the agent's maxSockets, so that requests can wait
 * in order of priority. Watches are not API-client requests and do not count. Requests that must never
 * queue behind the controller's writes (lease renewals) use a config with a queue of its own
 * (withOwnPool); best-effort writes (Events) use one that shares the queue but goes last
 * (background). The requests go out over node:http(s) (node-http-library.ts), not node-fetch.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  type ApiConstructor,
  type ApiType,
  KubeConfig,
  type RequestContext,
  ServerConfiguration,
  createConfiguration,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import PQueue from 'p-queue';
import { nodeHttpLibrary } from './node-http-library.js';

type AnyAgent = HttpAgent | HttpsAgent;
type FetchInit = Awaited<ReturnType<KubeConfig['applyToFetchOptions']>>;

/** Options that decide which connections an agent may share. */
const AGENT_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/** API requests in flight at once per config; the rest wait their turn. */
export const DEFAULT_MAX_REQUESTS = 32;

const FOREGROUND = 0;
const BACKGROUND = -1;

export interface PoolOptions {
  /** API requests in flight at once (default DEFAULT_MAX_REQUESTS). */
  maxRequests?: number;
}

export class PooledKubeConfig extends KubeConfig {
  private readonly pool = new Map<string, AnyAgent>();
  private readonly queue: PQueue;
  private readonly http: ReturnType<typeof wrapHttpLibrary>;

  /** @param shared the queue of the config this one was made from, and this one's priority in it */
  constructor(
    private readonly poolOptions: PoolOptions = {},
    shared?: { queue: PQueue; priority: number },
  ) {
    super();
    this.queue = shared?.queue ?? new PQueue({ concurrency: poolOptions.maxRequests ?? DEFAULT_MAX_REQUESTS });
    const priority = shared?.priority ?? FOREGROUND;
    this.http = wrapHttpLibrary({ send: (request) => this.queue.add(() => nodeHttpLibrary.send(request), { priority, throwOnTimeout: true }) });
  }

  /**
   * The same clusters, users and contexts, whose API requests share this config's queue but start
   * only when none of this config's requests waits: for writes that may lag (Events), never ahead
   * of the status and finalizer writes a convergence waits on.
   */
  background(): PooledKubeConfig {
    return this.copyInto(new PooledKubeConfig(this.poolOptions, { queue: this.queue, priority: BACKGROUND }));
  }

  /** An API client whose requests share this config's connections and request queue. */
  override makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
    const cluster = this.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster!');
    return new apiClientType(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: this }, httpApi: this.http }));
  }

  /** The same clusters, users and contexts, over connections of its own. */
  withOwnPool(options: PoolOptions = this.poolOptions): PooledKubeConfig {
    return this.copyInto(new PooledKubeConfig(options));
  }

  private copyInto(copy: PooledKubeConfig): PooledKubeConfig {
    copy.loadFromOptions({ clusters: this.clusters, users: this.users, contexts: this.contexts, currentContext: this.currentContext });
    return copy;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const agent = context.getAgent();
    if (agent) context.setAgent(this.pooled(agent));
  }

  override async applyToFetchOptions(opts: Parameters<KubeConfig['applyToFetchOptions']>[0]): Promise<FetchInit> {
    const init = await super.applyToFetchOptions(opts);
    const agent = init.agent;
    if (agent instanceof HttpAgent) init.agent = this.pooled(agent);
    return init;
  }

  /** Closes every pooled connection. */
  destroyConnections(): void {
    for (const agent of this.pool.values()) agent.destroy();
    this.pool.clear();
  }

  private pooled(fresh: AnyAgent): AnyAgent {
    // Proxy agents are not plain http(s) agents: leave them to the library.
    if (fresh.constructor !== HttpAgent && fresh.constructor !== HttpsAgent) return fresh;
    const options = (fresh as AnyAgent & { options?: Record<string, unknown> }).options ?? {};
    const tls = fresh instanceof HttpsAgent;
    const key = [tls, ...AGENT_KEYS.map((k) => keyPart(options[k]))].join('|');
    let agent = this.pool.get(key);
    if (!agent) {
      const shared = { keepAlive: true, ...Object.fromEntries(AGENT_KEYS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]])) };
      agent = tls ? new HttpsAgent(shared) : new HttpAgent(shared);
      this.pool.set(key, agent);
    }
    return agent;
  }
}

function keyPart(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(keyPart).join(',');
  return String(value);
}
