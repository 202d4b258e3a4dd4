import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { agentNodeProblem } from '../../src/agent/index.js';
import { type AgentWorkerDeps, runAgentRestart } from '../../src/agent/worker.js';
import { Secrets } from '../../src/config/secrets.js';
import type { NodeConfig } from '../../src/config/types.js';
import { errorOf, nodeWith } from '../recovery/support.js';

const NOW = Date.parse('2026-01-01T00:00:00.000Z');

function deps(node: NodeConfig): AgentWorkerDeps {
  return {
    nodeId: 'n1',
    findNode: (id) => (id === node.id ? node : undefined),
    secrets: new Secrets(),
    now: () => NOW,
  };
}

const run = (node: NodeConfig, payload: { nodeId: string; deadline: number }) =>
  runAgentRestart(payload, deps(node), () => undefined, new AbortController().signal);

describe('runAgentRestart', () => {
  const agentNode = nodeWith({ kind: 'agent', command: ['true'], timeout: 5000 });

  it("runs the node's command from the agent's own config", async () => {
    const outcome = await run(agentNode, { nodeId: 'n1', deadline: NOW + 10_000 });
    expect(outcome).toEqual({ summary: expect.stringMatching(/^true exited 0 in \d+\.\d s$/) });
  });

  it('skips a request that arrives long after anyone waited for it', async () => {
    const error = await errorOf(run(agentNode, { nodeId: 'n1', deadline: NOW - 61_000 }));
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect(error.message).toMatch(/^restart request arrived after 2025-12-31T23:58:59\.000Z, .*: not run$/);
  });

  it('still runs a request a few seconds late, since the two hosts’ clocks may differ', async () => {
    await expect(run(agentNode, { nodeId: 'n1', deadline: NOW - 5000 })).resolves.toBeDefined();
  });

  it('refuses a request for another node, or a node whose recovery is not the agent', async () => {
    expect((await errorOf(run(agentNode, { nodeId: 'n2', deadline: NOW }))).message).toBe(
      'this agent runs for node n1, not n2',
    );
    const commandNode = nodeWith({ kind: 'command', command: ['true'], timeout: 5000 });
    expect((await errorOf(run(commandNode, { nodeId: 'n1', deadline: NOW }))).message).toBe(
      "node n1: recovery.kind is command in this agent's config, not agent",
    );
  });
});

describe('agentNodeProblem', () => {
  const nodes = [
    nodeWith({ kind: 'agent', command: ['true'], timeout: 5000 }, 'gpu-01'),
    nodeWith({ kind: 'command', command: ['true'], timeout: 5000 }, 'gpu-02'),
  ];

  it('accepts a node whose recovery kind is agent', () => {
    expect(agentNodeProblem(nodes, 'gpu-01')).toBeNull();
  });

  it('names the known nodes when the id is unknown', () => {
    expect(agentNodeProblem(nodes, 'gpu-09')).toBe(
      '--node gpu-09: no such node in the config (nodes: gpu-01, gpu-02)',
    );
  });

  it('refuses a node with another recovery kind', () => {
    expect(agentNodeProblem(nodes, 'gpu-02')).toBe(
      '--node gpu-02: its recovery.kind is command; the agent serves nodes with recovery kind agent',
    );
  });
});
