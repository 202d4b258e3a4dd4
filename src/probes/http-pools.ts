/**
 * The keep-alive agents every probe request goes through: one pool per process, so each node's
 * connection is reused from request to request and from check to check.
 */
import http from 'node:http';
import https from 'node:https';
import type { Endpoint } from './endpoint.js';

/** The caller owns them, and destroys them. */
export interface ProbeAgents {
  http: http.Agent;
  https: https.Agent;
}

export function createProbeAgents(): ProbeAgents {
  // lifo: the most recently used socket is the one least likely to have been closed by the node.
  return {
    http: new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
    https: new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
  };
}

export function destroyProbeAgents(agents: ProbeAgents): void {
  agents.http.destroy();
  agents.https.destroy();
}

/** The agent for an endpoint's scheme. */
export function agentFor(agents: ProbeAgents, endpoint: Endpoint): http.Agent {
  return endpoint.secure ? agents.https : agents.http;
}
