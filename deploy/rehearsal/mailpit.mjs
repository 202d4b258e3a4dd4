// A stand-in for axllent/mailpit (deploy/rehearse-compose.sh builds it into an image named like the one
// docker-compose.yml uses, where no image registry is reachable): an SMTP sink on 1025 and the part
// of mailpit's HTTP API on 8025 that the rehearsal (and a person with curl) reads. Messages are kept in
// memory, newest first, 500 at most, as mailpit does by default. Plain Node plus the `smtp-server`
// package (the one this project's tests use), copied with its dependencies from node_modules.
//   GET    /api/v1/messages            {total, unread, count, messages_count, start, tags, messages: [summary]}
//   GET    /api/v1/message/<ID>        the summary plus Date, Text, HTML, Inline, Attachments
//   GET    /api/v1/message/<ID>/raw    the message as received
//   DELETE /api/v1/messages            delete all (or {"IDs": [...]})
//   GET    /livez, /readyz             200 ok;   GET /   a plain HTML list
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { SMTPServer } from 'smtp-server';

const SMTP_PORT = Number(process.env.MP_SMTP_PORT ?? 1025);
const HTTP_PORT = Number(process.env.MP_UI_PORT ?? 8025);
const MAX_MESSAGES = Number(process.env.MP_MAX_MESSAGES ?? 500);
const messages = []; // newest first

/** RFC 2047 encoded words (=?utf-8?B?...?= / ?Q?) in a header value. */
function decodeWords(value) {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, charset, encoding, text) => {
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex) => String.fromCharCode(Number.parseInt(hex, 16))),
              'latin1',
            );
      try {
        return new TextDecoder(charset).decode(bytes);
      } catch {
        return bytes.toString('utf8');
      }
    });
}

/** Header block -> Map(lowercase name -> [values]), folded lines joined. */
function parseHeaders(block) {
  const headers = new Map();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return headers;
}

function splitMessage(raw) {
  const match = /\r?\n\r?\n/.exec(raw);
  return match
    ? { head: raw.slice(0, match.index), body: raw.slice(match.index + match[0].length) }
    : { head: raw, body: '' };
}

/** "Name <a@b>, c@d" -> [{Name, Address}] (commas inside quotes kept). */
function addresses(value) {
  if (!value) return [];
  return (decodeWords(value).match(/(?:"[^"]*"|[^,])+/g) ?? [])
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const angle = /^(.*?)<([^>]*)>\s*$/.exec(part);
      return angle
        ? { Name: angle[1].trim().replace(/^"(.*)"$/, '$1'), Address: angle[2].trim() }
        : { Name: '', Address: part };
    });
}

function decodeBody(body, headers) {
  const encoding = (headers.get('content-transfer-encoding')?.[0] ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** The first text/plain and text/html parts, walking multiparts. */
function bodies(head, body, found = { Text: '', HTML: '' }) {
  const headers = parseHeaders(head);
  const type = headers.get('content-type')?.[0] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break;
      const inner = splitMessage(part.replace(/^\r?\n/, ''));
      bodies(inner.head, inner.body, found);
    }
  } else if (/^text\/html/i.test(type) && !found.HTML) found.HTML = decodeBody(body, headers);
  else if (/^text\/plain/i.test(type) && !found.Text) found.Text = decodeBody(body, headers);
  return found;
}

function store(raw, envelope) {
  const { head, body } = splitMessage(raw);
  const headers = parseHeaders(head);
  const first = (name) => headers.get(name)?.[0] ?? '';
  const { Text, HTML } = bodies(head, body);
  const to = addresses(headers.get('to')?.join(', '));
  const message = {
    ID: randomUUID(),
    MessageID: first('message-id').replace(/^<|>$/g, ''),
    Read: false,
    From: addresses(first('from'))[0] ?? { Name: '', Address: envelope.mailFrom?.address ?? '' },
    To: to.length > 0 ? to : envelope.rcptTo.map((rcpt) => ({ Name: '', Address: rcpt.address })),
    Cc: addresses(headers.get('cc')?.join(', ')),
    Bcc: [],
    ReplyTo: addresses(first('reply-to')),
    Subject: decodeWords(first('subject')),
    Created: new Date().toISOString(),
    Tags: [],
    Size: Buffer.byteLength(raw),
    Attachments: 0,
    Snippet: Text.replace(/\s+/g, ' ').trim().slice(0, 250),
  };
  messages.unshift({ summary: message, raw, Text, HTML, Date: first('date') });
  messages.length = Math.min(messages.length, MAX_MESSAGES);
  console.log(
    `mailpit (stand-in): ${message.ID} from ${message.From.Address} to ${message.To.map((a) => a.Address).join(', ')}: ${message.Subject}`,
  );
}

const smtp = new SMTPServer({
  authOptional: true,
  allowInsecureAuth: true,
  disabledCommands: ['STARTTLS'],
  banner: 'Mailpit ESMTP Service ready (gpu-mesh rehearsal stand-in)',
  size: 10 * 1024 * 1024,
  onAuth(_auth, _session, callback) {
    callback(null, { user: 'any' });
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      store(Buffer.concat(chunks).toString('utf8'), session.envelope);
      callback();
    });
  },
});
smtp.on('error', (error) => console.error(`mailpit (stand-in): smtp: ${error.message}`));

const json = (res, status, value) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};
const html = (text) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

const http = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://mailpit');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const one = /^\/api\/v1\/message\/([^/]+)(\/raw)?$/.exec(path);
  if (req.method === 'GET' && (path === '/livez' || path === '/readyz')) {
    res.end('ok');
  } else if (req.method === 'GET' && path === '/api/v1/messages') {
    const start = Math.max(0, Number(url.searchParams.get('start') ?? 0) || 0);
    const limit = Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50);
    const page = messages.slice(start, start + limit).map((m) => m.summary);
    json(res, 200, {
      total: messages.length,
      unread: messages.filter((m) => !m.summary.Read).length,
      count: page.length,
      messages_count: messages.length,
      start,
      tags: [],
      messages: page,
    });
  } else if (req.method === 'GET' && one) {
    const found = messages.find((m) => m.summary.ID === one[1]);
    if (!found) return json(res, 404, { Error: 'message not found' });
    if (one[2]) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end(found.raw);
    }
    found.summary.Read = true;
    json(res, 200, {
      ...found.summary,
      ReturnPath: found.summary.From.Address,
      Date: found.Date,
      Text: found.Text,
      HTML: found.HTML,
      Inline: [],
      Attachments: [],
    });
  } else if (req.method === 'DELETE' && path === '/api/v1/messages') {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    let ids = [];
    try {
      ids = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}').IDs ?? [];
    } catch {}
    const keep = ids.length === 0 ? [] : messages.filter((m) => !ids.includes(m.summary.ID));
    messages.splice(0, messages.length, ...keep);
    res.end('ok');
  } else if (req.method === 'GET' && path === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>mailpit (stand-in)</title><h1>${messages.length} messages</h1><ul>${messages
        .map(
          (m) =>
            `<li>${html(m.summary.Created)} — ${html(m.summary.Subject)} — to ${html(m.summary.To.map((a) => a.Address).join(', '))}</li>`,
        )
        .join('')}</ul>`,
    );
  } else {
    json(res, 404, { Error: 'not found' });
  }
});

smtp.listen(SMTP_PORT, '0.0.0.0', () => console.log(`mailpit (stand-in): SMTP on 0.0.0.0:${SMTP_PORT}`));
http.listen(HTTP_PORT, '0.0.0.0', () => console.log(`mailpit (stand-in): HTTP API on 0.0.0.0:${HTTP_PORT}`));

// PID 1 in its container: exit 0 on SIGTERM/SIGINT (docker stop), as mailpit does.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    http.close();
    smtp.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
