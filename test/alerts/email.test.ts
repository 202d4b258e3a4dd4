import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailChannel, smtpTransportOptions } from '../../src/alerts/channels/email.js';
import {
  closedPort,
  errorChainText,
  makeAlert,
  makeContext,
  timedRejection,
  withDeadline,
} from './helpers.js';

const USER = 'alerts@example.test';
const PASSWORD = 'p@ss w0rd/:s3cret';
const credentials = `${encodeURIComponent(USER)}:${encodeURIComponent(PASSWORD)}`;

interface ReceivedMail {
  username: string | null | undefined;
  password: string | null | undefined;
  from: string | false;
  to: string[];
  secure: boolean;
  raw: string;
}

interface LoopbackSmtp {
  port: number;
  nextMail(): Promise<ReceivedMail>;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A real SMTP server on loopback that requires AUTH and keeps what it receives. */
async function startSmtpServer(options: SMTPServerOptions = {}): Promise<LoopbackSmtp> {
  const mails: ReceivedMail[] = [];
  const waiting: Array<(mail: ReceivedMail) => void> = [];
  type Login = { username: string | null | undefined; password: string | null | undefined };
  const logins = new Map<string, Login>();
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    closeTimeout: 100,
    logger: false,
    ...options,
    onAuth(login, session, callback) {
      logins.set(session.id, { username: login.username, password: login.password });
      callback(null, { user: login.username ?? undefined });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail: ReceivedMail = {
          username: logins.get(session.id)?.username,
          password: logins.get(session.id)?.password,
          from: session.envelope.mailFrom === false ? false : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          secure: session.secure,
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        const waiter = waiting.shift();
        if (waiter) waiter(mail);
        else mails.push(mail);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const smtp: LoopbackSmtp = {
    port,
    nextMail() {
      const mail = mails.shift();
      if (mail) return Promise.resolve(mail);
      return withDeadline(new Promise((resolve) => waiting.push(resolve)), 5_000, 'mail');
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  cleanups.push(smtp.close);
  return smtp;
}

/** A server that accepts TCP connections and never says a word, as a wedged mail relay does. */
async function startSilentServer(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

/** The header block of a raw message, unfolded (RFC 5322 2.2.3). */
function headerOf(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n(?=[ \t])/g, '');
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** The raw message with quoted-printable soft breaks and escapes undone, enough to read both parts. */
function decodedBody(raw: string): string {
  return raw
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

const never = new AbortController().signal;

describe('the e-mail channel', () => {
  it('delivers over STARTTLS with the credentials from the URL, a plain-text and an HTML part', async () => {
    const smtp = await startSmtpServer();
    const email = createEmailChannel(
      {
        minSeverity: 'CRITICAL',
        smtp: `smtp://${credentials}@127.0.0.1:${smtp.port}`,
        from: 'gpu-mesh@example.test',
        to: ['oncall@example.test', 'lead@example.test'],
        timeout: 5_000,
      },
      { allowUntrustedCertificates: true },
    );
    const alert = makeAlert({ message: 'runner hung <script>alert(1)</script>' });

    await email.send(alert, makeContext(), never);
    const mail = await smtp.nextMail();

    expect(mail.username).toBe(USER);
    expect(mail.password).toBe(PASSWORD);
    expect(mail.secure).toBe(true);
    expect(mail.from).toBe('gpu-mesh@example.test');
    expect(mail.to).toEqual(['oncall@example.test', 'lead@example.test']);
    expect(headerOf(mail.raw, 'Subject')).toBe('[gpu-mesh] ERROR unhealthy: Local Ollama (local)');
    expect(mail.raw).toMatch(/Content-Type: text\/plain/);
    expect(mail.raw).toMatch(/Content-Type: text\/html/);
    const body = decodedBody(mail.raw);
    expect(body).toContain('Last error: connect ECONNREFUSED 127.0.0.1:11434');
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).toContain('<a href="http://127.0.0.1:3000/board">Bull Board</a>');
  });

  it('delivers over implicit TLS for an smtps URL', async () => {
    const smtp = await startSmtpServer({ secure: true });
    const email = createEmailChannel(
      {
        minSeverity: 'INFO',
        smtp: `smtps://${credentials}@127.0.0.1:${smtp.port}`,
        from: 'a@x.test',
        to: ['b@x.test'],
        timeout: 5_000,
      },
      { allowUntrustedCertificates: true },
    );
    const alert = makeAlert({ kind: 'mesh_down', severity: 'CRITICAL', nodeId: null, incidentId: null });

    await email.send(alert, makeContext({ nodeName: null }), never);
    const mail = await smtp.nextMail();

    expect(mail.secure).toBe(true);
    expect(mail.password).toBe(PASSWORD);
    expect(headerOf(mail.raw, 'Subject')).toBe('[gpu-mesh] CRITICAL mesh_down: mesh');
  });

  it('refuses a self-signed certificate unless told to accept it', async () => {
    const smtp = await startSmtpServer();
    const email = createEmailChannel({
      minSeverity: 'INFO',
      smtp: `smtp://${credentials}@127.0.0.1:${smtp.port}`,
      from: 'a@x.test',
      to: ['b@x.test'],
      timeout: 5_000,
    });

    const { error } = await timedRejection(() => email.send(makeAlert(), makeContext(), never));

    expect(error.message).toMatch(/^email: /);
    expect(errorChainText(error)).toMatch(/certificate/i);
    expect(errorChainText(error)).not.toContain(PASSWORD);
  });

  it('rejects quickly, without the password, when the SMTP server is down', async () => {
    const port = await closedPort();
    const smtp = `smtp://${credentials}@127.0.0.1:${port}`;
    const email = createEmailChannel({
      minSeverity: 'INFO',
      smtp,
      from: 'a@x.test',
      to: ['b@x.test'],
      timeout: 5_000,
    });

    const { error, ms } = await timedRejection(() => email.send(makeAlert(), makeContext(), never));

    expect(ms).toBeLessThan(2_000);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.cause).toBeInstanceOf(Error);
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), smtp]) {
      expect(errorChainText(error)).not.toContain(secret);
    }
  });

  it("rejects a second past the channel timeout by nodemailer's own timers, when called without a deadline", async () => {
    const port = await startSilentServer();
    const email = createEmailChannel({
      minSeverity: 'INFO',
      smtp: `smtp://${credentials}@127.0.0.1:${port}`,
      from: 'a@x.test',
      to: ['b@x.test'],
      timeout: 300,
    });

    const { error, ms } = await timedRejection(() => email.send(makeAlert(), makeContext(), never));

    expect(ms).toBeGreaterThanOrEqual(1_250);
    expect(ms).toBeLessThan(2_500);
    expect(error.message).toMatch(/^email: .*ETIMEDOUT/);
    expect(errorChainText(error)).not.toContain(PASSWORD);
  });

  it('stops a delivery when its signal aborts', async () => {
    const port = await startSilentServer();
    const email = createEmailChannel({
      minSeverity: 'INFO',
      smtp: `smtp://127.0.0.1:${port}`,
      from: 'a@x.test',
      to: ['b@x.test'],
      timeout: 5_000,
    });

    const { error, ms } = await timedRejection(() =>
      email.send(makeAlert(), makeContext(), AbortSignal.timeout(200)),
    );

    expect(ms).toBeLessThan(2_000);
    expect(error.message).toMatch(/^email: /);
  });
});

describe('smtpTransportOptions', () => {
  it("verifies certificates and sets nodemailer's silence timers a second past the channel timeout", () => {
    const options = smtpTransportOptions('smtp://u:p@mail.example.test', 10_000);
    expect(options).toMatchObject({
      host: 'mail.example.test',
      port: 587,
      secure: false,
      auth: { user: 'u', pass: 'p' },
      connectionTimeout: 11_000,
      greetingTimeout: 11_000,
      socketTimeout: 11_000,
      tls: { rejectUnauthorized: true },
    });
  });

  it('uses implicit TLS on port 465 for smtps', () => {
    expect(smtpTransportOptions('smtps://mail.example.test', 10_000)).toMatchObject({
      secure: true,
      port: 465,
    });
  });

  it('ignores options in the query string, so a URL cannot switch certificate checks off', () => {
    const options = smtpTransportOptions(
      'smtp://mail.example.test?tls.rejectUnauthorized=false&secure=true',
      10_000,
    );
    expect(options.tls).toEqual({ rejectUnauthorized: true });
    expect(options.secure).toBe(false);
  });

  it('refuses a URL that is not smtp or smtps without quoting it', () => {
    expect(() => smtpTransportOptions('http://u:hunter2@mail.example.test', 10_000)).toThrow(
      /smtp:\/\/ or smtps:\/\//,
    );
    expect(() => smtpTransportOptions('not a url hunter2', 10_000)).toThrow(
      'alerts.channels.email.smtp: not a URL',
    );
    try {
      smtpTransportOptions('not a url hunter2', 10_000);
    } catch (error) {
      expect(errorChainText(error)).not.toContain('hunter2');
    }
  });
});
