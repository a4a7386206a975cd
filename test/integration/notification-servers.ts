import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer, { type Transporter } from 'nodemailer';
import { SMTPServer } from 'smtp-server';

/*
 * Real servers the notification tests deliver to: an SMTP server (smtp-server, every message parsed by mailparser)
 * and an HTTP webhook receiver (node:http). Both listen on a free port of 127.0.0.1 and keep what they received.
 */

/** A real SMTP server on a free port that keeps every message it accepted, parsed. */
export interface MailSink {
  port: number;
  received: { rcptTo: string[]; mail: ParsedMail }[];
  /** Reject the next `n` RCPT TO commands with 451 (a temporary failure). */
  failNext(n: number): void;
  /**
   * Hold every message in its DATA phase, unanswered, until `release()`: a send in flight for as long as a test
   * wants. `arrived` resolves when the first held message came in.
   */
  hold(): { arrived: Promise<void>; release(): void };
  transport(): Transporter;
  close(): Promise<void>;
}

export async function startMailSink(): Promise<MailSink> {
  const received: MailSink['received'] = [];
  let failures = 0;
  let gate: { arrived: () => void; released: Promise<void> } | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (failures > 0) {
        failures--;
        const err = new Error('mailbox busy, try again later') as Error & { responseCode: number };
        err.responseCode = 451;
        callback(err);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          if (gate) {
            gate.arrived();
            await gate.released;
          }
          received.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  const port = await new Promise<number>((resolve) => {
    const net = server.listen(0, '127.0.0.1', () => resolve((net.address() as AddressInfo).port));
  });
  const transports: Transporter[] = [];
  return {
    port,
    received,
    failNext(n) {
      failures = n;
    },
    hold() {
      let arrived!: () => void;
      let release!: () => void;
      const came = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      gate = { arrived, released };
      return {
        arrived: came,
        release: () => {
          gate = null;
          release();
        },
      };
    },
    transport() {
      const t = nodemailer.createTransport(`smtp://127.0.0.1:${port}`);
      transports.push(t);
      return t;
    },
    async close() {
      for (const t of transports) t.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface WebhookRequestSeen {
  /** The request's path (and query), e.g. `/ocop`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When the request arrived (Date.now()). */
  receivedAt: number;
}

/**
 * A real HTTP webhook receiver. It answers with the queued statuses (then 200) and, as the webhook contract asks
 * of every receiver, processes each `Idempotency-Key` once. It answers on every path; `url` is `/ocop`.
 */
export interface WebhookSink {
  url: string;
  requests: WebhookRequestSeen[];
  /** Bodies processed, one per Idempotency-Key. */
  processed: Map<string, string>;
  /** Statuses to answer with, in order, before answering 200. */
  respondWith(statuses: number[]): void;
  /** Answer every request with this status from now on; null to stop. */
  alwaysRespond(status: number | null): void;
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const requests: WebhookRequestSeen[] = [];
  const processed = new Map<string, string>();
  let queue: number[] = [];
  let always: number | null = null;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ path: req.url ?? '', headers: req.headers, body, receivedAt: Date.now() });
      const status = always ?? queue.shift() ?? 200;
      const key = req.headers['idempotency-key'];
      if (status === 200 && typeof key === 'string' && !processed.has(key)) processed.set(key, body);
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ocop`,
    requests,
    processed,
    respondWith(statuses) {
      queue = [...statuses];
    },
    alwaysRespond(status) {
      always = status;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
