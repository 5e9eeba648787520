/**
 * A KubeConfig whose requests share keep-alive connections.
 *
 * @kubernetes/client-node 1.x builds a fresh https.Agent for every request, so every API call
 * pays a new TCP connection and TLS handshake. For an operator writing status for thousands of
 * objects that is most of its CPU. This subclass lets the library compute its agent as usual
 * (CA, client certificate, proxy, TLS options), then swaps in one cached keep-alive agent per
 * distinct set of those options.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

type AnyAgent = HttpAgent | HttpsAgent;
type FetchInit = Awaited<ReturnType<KubeConfig['applyToFetchOptions']>>;

/** Options that decide which connections an agent may share. */
const AGENT_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

export class PooledKubeConfig extends KubeConfig {
  private readonly pool = new Map<string, AnyAgent>();

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
