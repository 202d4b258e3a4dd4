import type { AlertContext } from './channels/plugin.js';
import type { Alert } from './types.js';

/**
 * How an alert reads, shared by the channels (pure). E-mail and Slack use the same subject line —
 * `[gpu-mesh] SEVERITY kind: <node name> (<node id>)`, or `... kind: mesh` for mesh-wide kinds —
 * so a person can search one for what the other said.
 */
export function alertSubject(alert: Alert, nodeName: string | null): string {
  return `[gpu-mesh] ${alert.severity} ${alert.kind}: ${alertTarget(alert, nodeName)}`;
}

/** `<node name> (<node id>)`, `mesh` for a mesh-wide alert; a node without a known name shows its id twice. */
export function alertTarget(alert: Alert, nodeName: string | null): string {
  return alert.nodeId === null ? 'mesh' : `${nodeName ?? alert.nodeId} (${alert.nodeId})`;
}

export interface AlertFact {
  label: string;
  value: string;
}

/** The facts every format lists, in this order; those that don't apply are left out. */
export function alertFacts(alert: Alert, context: AlertContext): AlertFact[] {
  const facts: AlertFact[] = [
    { label: 'Node', value: alertTarget(alert, context.nodeName) },
    { label: 'Severity', value: `${alert.severity} (${alert.kind})` },
  ];
  if (context.nodeStatus !== null) facts.push({ label: 'Status', value: context.nodeStatus });
  if (context.lastError !== null) facts.push({ label: 'Last error', value: context.lastError });
  if (alert.incidentId !== null) facts.push({ label: 'Incident', value: alert.incidentId });
  if (context.incidentStartedAt !== null) {
    facts.push({ label: 'Incident started', value: context.incidentStartedAt });
  }
  facts.push({ label: 'At', value: alert.at });
  return facts;
}

/** The links every format ends with; an empty URL is left out. */
export function alertLinks(context: AlertContext): AlertFact[] {
  const links = [
    { label: 'Dashboard', value: context.dashboardUrl },
    { label: 'Bull Board', value: context.boardUrl },
  ];
  return links.filter((link) => link.value !== '');
}

/** The plain-text body of an e-mail. */
export function alertText(alert: Alert, context: AlertContext): string {
  const lines = [alert.title, '', alert.message, ''];
  for (const fact of alertFacts(alert, context)) lines.push(`${fact.label}: ${fact.value}`);
  const links = alertLinks(context);
  if (links.length > 0) lines.push('');
  for (const link of links) lines.push(`${link.label}: ${link.value}`);
  return `${lines.join('\n')}\n`;
}

/** The HTML body of an e-mail; every value is escaped and only http(s) URLs become links. */
export function alertHtml(alert: Alert, context: AlertContext): string {
  const rows = alertFacts(alert, context).map(
    (fact) =>
      `<tr><th align="left" style="padding-right:1em">${escapeHtml(fact.label)}</th>` +
      `<td>${escapeHtml(fact.value)}</td></tr>`,
  );
  const links = alertLinks(context).map((link) => htmlLink(link.label, link.value));
  return [
    '<!doctype html>',
    '<html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(alert.title)}</h2>`,
    `<p style="white-space:pre-wrap">${escapeHtml(alert.message)}</p>`,
    `<table>${rows.join('')}</table>`,
    links.length > 0 ? `<p>${links.join(' &middot; ')}</p>` : '',
    '</body></html>',
  ].join('\n');
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** `text` cut to `max` characters, the last one `…` when cut (services refuse longer fields). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `true` for an absolute http(s) URL: the only kind a message links to. */
export function isWebUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function htmlLink(label: string, url: string): string {
  if (!isWebUrl(url)) return `${escapeHtml(label)}: ${escapeHtml(url)}`;
  return `<a href="${escapeHtml(url)}">${escapeHtml(label)}</a>`;
}
