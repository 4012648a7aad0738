import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A request a test receiver recorded. */
export interface Received {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** HttpReceiver is a local HTTP server that records JSON POSTs (the stand-in for Slack and webhooks). */
export interface HttpReceiver {
  url: string;
  received: Received[];
  /** Status code to answer with (200 by default). */
  status: number;
  close(): Promise<void>;
}

/** startHttpReceiver starts an HttpReceiver on a free loopback port. */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  const r: HttpReceiver = { url: '', received: [], status: 200, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown = Buffer.concat(chunks).toString();
      try {
        body = JSON.parse(body as string);
      } catch {
        // keep the text
      }
      if (r.status < 300) r.received.push({ at: Date.now(), path: req.url ?? '', headers: req.headers, body });
      res.writeHead(r.status, { 'content-type': 'text/plain' }).end(r.status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}

/** A mail the test SMTP server accepted, parsed, with its raw source. */
export interface CaughtMail {
  at: number;
  raw: Buffer;
  parsed: ParsedMail;
}

/** SmtpSink is a real SMTP server (smtp-server) in the test process that parses what arrives (mailparser). */
export interface SmtpSink {
  port: number;
  mails: CaughtMail[];
  /** Milliseconds to wait before answering MAIL FROM (a slow server, to catch the sender mid-delivery). */
  delayMs: number;
  /** Called at every MAIL FROM with how many have arrived so far (to act mid-delivery). */
  onMailFrom?: (count: number) => void;
  /** Milliseconds to hold the `250` after a message's data has arrived (and is recorded in `mails`). */
  dataDelayMs: number;
  /** Called when a message's data has arrived, before the `250` (to act in the window after it). */
  onDataEnd?: (mail: CaughtMail) => void;
  /** Stops listening (the port stays reserved for `up`). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** startSmtpSink starts an SmtpSink on `port` (0: a free one). */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const sink: SmtpSink = {
    port,
    mails: [],
    delayMs: 0,
    dataDelayMs: 0,
    down: async () => undefined,
    up: async () => undefined,
    close: async () => undefined,
  };
  let server: SMTPServer | undefined;
  let mailFroms = 0;
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onMailFrom(_addr, _session, cb) {
        sink.onMailFrom?.(++mailFroms);
        if (sink.delayMs) setTimeout(() => cb(), sink.delayMs);
        else cb();
      },
      onData(stream, _session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw, { keepCidLinks: true }).then(
            (parsed) => {
              const mail = { at: Date.now(), raw, parsed };
              sink.mails.push(mail);
              sink.onDataEnd?.(mail);
              if (sink.dataDelayMs) setTimeout(() => cb(), sink.dataDelayMs);
              else cb();
            },
            (err: Error) => cb(err),
          );
        });
      },
    });
  sink.up = async () => {
    server = make();
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server!.listen(sink.port, '127.0.0.1', () => resolve()));
    sink.port = (server.server.address() as AddressInfo).port;
  };
  sink.down = async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  sink.close = sink.down;
  await sink.up();
  return sink;
}
