import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { PooledKubeConfig } from '../../../src/kube/pooled-kubeconfig.js';

const kubeconfig = (server: string, token: string) => `
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}", certificate-authority-data: "${Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64')}"}}]
users: [{name: u, user: {token: ${token}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;

describe('PooledKubeConfig', () => {
  it('hands every request of one cluster the same keep-alive agent, and keeps the auth header', async () => {
    const kc = new PooledKubeConfig();
    kc.loadFromString(kubeconfig('https://127.0.0.1:6443', 'secret-token'));
    const a = new RequestContext('https://127.0.0.1:6443/api', HttpMethod.GET);
    const b = new RequestContext('https://127.0.0.1:6443/apis', HttpMethod.GET);
    await kc.applySecurityAuthentication(a);
    await kc.applySecurityAuthentication(b);
    expect(a.getAgent()).toBeDefined();
    expect(a.getAgent()).toBe(b.getAgent());
    expect((a.getAgent() as unknown as { keepAlive: boolean }).keepAlive).toBe(true);
    expect(a.getHeaders().Authorization).toBe('Bearer secret-token');

    const init1 = await kc.applyToFetchOptions({});
    const init2 = await kc.applyToFetchOptions({});
    expect(init1.agent).toBe(a.getAgent());
    expect(init2.agent).toBe(a.getAgent());
    kc.destroyConnections();
  });

  it('keeps clusters with different TLS settings on different agents', async () => {
    const one = new PooledKubeConfig();
    one.loadFromString(kubeconfig('https://127.0.0.1:6443', 't'));
    const ctx1 = new RequestContext('https://127.0.0.1:6443/api', HttpMethod.GET);
    await one.applySecurityAuthentication(ctx1);
    one.clusters[0] = { ...one.clusters[0]!, skipTLSVerify: true };
    const ctx2 = new RequestContext('https://127.0.0.1:6443/api', HttpMethod.GET);
    await one.applySecurityAuthentication(ctx2);
    expect(ctx1.getAgent()).not.toBe(ctx2.getAgent());
  });
});
