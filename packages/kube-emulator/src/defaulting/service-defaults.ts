/**
 * core/v1 Service defaults (SetDefaults_Service): session affinity None (ClientIP gets a
 * 10800 s timeout), type ClusterIP, port protocol TCP and target port = port, the Cluster
 * traffic policies, and allocateLoadBalancerNodePorts for load balancers.
 */
import { childObject, isJsonObject, type JsonObject } from '../json.js';

export function serviceDefaults(service: JsonObject): void {
  const spec = childObject(service, 'spec');
  if (!spec['sessionAffinity']) spec['sessionAffinity'] = 'None';
  if (spec['sessionAffinity'] === 'None') delete spec['sessionAffinityConfig'];
  if (spec['sessionAffinity'] === 'ClientIP') {
    const config = spec['sessionAffinityConfig'];
    const clientIP = isJsonObject(config) ? config['clientIP'] : undefined;
    if (!isJsonObject(clientIP) || typeof clientIP['timeoutSeconds'] !== 'number') spec['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!spec['type']) spec['type'] = 'ClusterIP';
  const ports = Array.isArray(spec['ports']) ? spec['ports'].filter(isJsonObject) : [];
  for (const port of ports) {
    if (!port['protocol']) port['protocol'] = 'TCP';
    if (port['targetPort'] === undefined || port['targetPort'] === 0 || port['targetPort'] === '') port['targetPort'] = port['port'] ?? 0;
  }
  const type = spec['type'];
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && Array.isArray(spec['externalIPs']) && spec['externalIPs'].length > 0);
  if (externallyAccessible && !spec['externalTrafficPolicy']) spec['externalTrafficPolicy'] = 'Cluster';
  if (spec['internalTrafficPolicy'] === undefined && (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP')) spec['internalTrafficPolicy'] = 'Cluster';
  if (type === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] === undefined) spec['allocateLoadBalancerNodePorts'] = true;
}
