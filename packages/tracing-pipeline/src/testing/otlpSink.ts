import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ExportTraceServiceRequest, Span } from '../otlp/model';
import { ExportTraceServiceRequestCodec } from '../otlp/otlpRoot';

/** status 0: never answer (the request hangs until the sink stops). */
export type SinkReply = {
  status: number;
  headers?: Record<string, string>;
  /** The response body (e.g. an `ExportTraceServiceResponse` with a partial success). */
  body?: Uint8Array | string;
};

/**
 * A real OTLP/HTTP receiver for tests: decodes with the same codec, remembers the raw bytes and
 * the spans, answers as told, and can go down (connection refused) and come back on its port.
 */
export class OtlpSink {
  readonly requests: ExportTraceServiceRequest[] = [];
  readonly rawBodies: Buffer[] = [];
  readonly headers: IncomingMessage['headers'][] = [];
  /** Bodies the codec could not decode (answered with 400). */
  readonly undecodable: Buffer[] = [];
  attempts = 0;
  reply: (attempt: number) => SinkReply = () => ({ status: 200 });
  private server?: Server;
  private sockets = new Set<import('node:net').Socket>();
  port = 0;

  async start(port = this.port): Promise<this> {
    const server = createServer((req, res) => this.onRequest(req, res));
    server.on('connection', s => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1/traces`;
  }

  /** Stops listening and cuts open connections: clients now get ECONNREFUSED. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>(resolve => server.close(() => resolve()));
  }

  spans(): Span[] {
    return this.requests.flatMap(r =>
      (r.resourceSpans ?? []).flatMap(rs =>
        (rs.scopeSpans ?? []).flatMap(ss => ss.spans ?? []),
      ),
    );
  }

  spanIds(): Set<string> {
    return new Set(
      this.spans().map(s => Buffer.from(s.spanId!).toString('hex')),
    );
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const reply = this.reply(this.attempts++);
      if (reply.status === 0) return;
      if (reply.status === 200) {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        let request: ExportTraceServiceRequest;
        try {
          request = ExportTraceServiceRequestCodec.decode(body);
        } catch {
          this.undecodable.push(body);
          res.writeHead(400).end();
          return;
        }
        this.rawBodies.push(body);
        this.headers.push(req.headers);
        this.requests.push(request);
      }
      res.writeHead(reply.status, {
        'content-type': 'application/x-protobuf',
        ...reply.headers,
      });
      res.end(reply.body);
    });
  }
}
