import { describe, expect, it } from 'vitest';
import { alertHtml, alertSubject, alertText } from '../../src/alerts/format.js';
import { makeAlert, makeContext } from './helpers.js';

describe('alertSubject', () => {
  it('names the node by name and id', () => {
    const alert = makeAlert({ severity: 'ERROR', kind: 'unhealthy', nodeId: 'gpu-01' });
    expect(alertSubject(alert, 'GPU box 1')).toBe('[gpu-mesh] ERROR unhealthy: GPU box 1 (gpu-01)');
  });

  it('names the mesh for a mesh-wide alert', () => {
    const alert = makeAlert({ severity: 'CRITICAL', kind: 'mesh_down', nodeId: null, incidentId: null });
    expect(alertSubject(alert, null)).toBe('[gpu-mesh] CRITICAL mesh_down: mesh');
  });

  it('falls back to the node id when the node has no known name', () => {
    const alert = makeAlert({ severity: 'WARNING', kind: 'degraded', nodeId: 'gone' });
    expect(alertSubject(alert, null)).toBe('[gpu-mesh] WARNING degraded: gone (gone)');
  });
});

describe('alertText', () => {
  it('lists the node, status, last error, incident start, message and links', () => {
    const text = alertText(makeAlert(), makeContext());
    expect(text).toContain('Local Ollama is unhealthy');
    expect(text).toContain('3 consecutive checks failed');
    expect(text).toContain('Node: Local Ollama (local)');
    expect(text).toContain('Status: unhealthy');
    expect(text).toContain('Last error: connect ECONNREFUSED 127.0.0.1:11434');
    expect(text).toContain('Incident started: 2026-01-01T00:00:00.000Z');
    expect(text).toContain('Dashboard: http://127.0.0.1:3000/');
    expect(text).toContain('Bull Board: http://127.0.0.1:3000/board');
  });

  it('leaves out what a mesh-wide alert does not have', () => {
    const alert = makeAlert({ kind: 'mesh_down', severity: 'CRITICAL', nodeId: null, incidentId: null });
    const context = makeContext({
      nodeName: null,
      nodeStatus: null,
      lastError: null,
      incidentStartedAt: null,
    });
    const text = alertText(alert, context);
    expect(text).toContain('Node: mesh');
    expect(text).not.toContain('Status:');
    expect(text).not.toContain('Last error:');
    expect(text).not.toContain('Incident');
  });
});

describe('alertHtml', () => {
  it('escapes a script in the message, the title and the last error', () => {
    const alert = makeAlert({ title: 'a <b>bold</b> title', message: '<script>alert("x")</script> & more' });
    const html = alertHtml(alert, makeContext({ lastError: "<img src=x onerror='boom'>" }));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(html).toContain('&lt;img src=x onerror=&#39;boom&#39;&gt;');
  });

  it('links the dashboard and Bull Board', () => {
    const html = alertHtml(makeAlert(), makeContext({ boardUrl: 'http://mesh.example/board?a=1&b=2' }));
    expect(html).toContain('<a href="http://127.0.0.1:3000/">Dashboard</a>');
    expect(html).toContain('<a href="http://mesh.example/board?a=1&amp;b=2">Bull Board</a>');
  });

  it('never turns a non-http URL into a link', () => {
    const html = alertHtml(makeAlert(), makeContext({ dashboardUrl: 'javascript:alert(1)' }));
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('Dashboard: javascript:alert(1)');
  });
});
