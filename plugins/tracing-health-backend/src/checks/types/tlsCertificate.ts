import { CheckType } from '@internal/plugin-tracing-health-node';
import { connect, TLSSocket } from 'node:tls';
import { z } from 'zod';

const optionsSchema = z
  .object({
    /** SNI name to present (default: the target's host). */
    servername: z.string().optional(),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

const DAY_MS = 86_400_000;

/** Reads `host:port`, `https://host[:port]` or `host` (port 443). */
export function parseTlsTarget(target: string): { host: string; port: number } {
  const url = new URL(target.includes('://') ? target : `tls://${target}`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : 443;
  if (!host) throw new Error(`no host in "${target}"`);
  return { host, port };
}

function peerCertificate(
  host: string,
  port: number,
  servername: string | undefined,
  signal: AbortSignal,
) {
  return new Promise<{
    validTo: Date;
    subject: string;
    issuer: string;
    authorizationError?: string;
  }>((resolve, reject) => {
    // Expiry is read even from untrusted chains; trust problems go into the message.
    const socket: TLSSocket = connect({
      host,
      port,
      servername: servername ?? (/^[\d.:]+$/.test(host) ? undefined : host),
      rejectUnauthorized: false,
    });
    const onAbort = () => socket.destroy(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      done();
      if (!cert?.valid_to) {
        reject(new Error('the server presented no certificate'));
        return;
      }
      resolve({
        validTo: new Date(cert.valid_to),
        subject: [cert.subject?.CN ?? ''].flat().join(', '),
        issuer: [cert.issuer?.CN ?? ''].flat().join(', '),
        authorizationError: socket.authorizationError
          ? String(socket.authorizationError)
          : undefined,
      });
    });
    socket.once('error', error => {
      done();
      reject(error);
    });
  });
}

/** Days until the certificate of a TLS endpoint (`target`: host:port) expires. */
export const tlsCertificateCheckType: CheckType<Options> = {
  type: 'tls-certificate',
  description: 'days until the TLS certificate of an endpoint expires',
  runbookId: 'certificate-expiry',
  target: 'required',
  failureStatus: 'unknown',
  measurements: {
    daysUntilExpiry: {
      description: 'days until notAfter (negative when expired)',
      unit: 'days',
      threshold: { warning: 30, critical: 7, direction: 'below' },
    },
  },
  parseOptions: raw => optionsSchema.parse(raw),
  async run(ctx) {
    const { host, port } = parseTlsTarget(ctx.target!);
    const cert = await peerCertificate(
      host,
      port,
      ctx.options.servername,
      ctx.signal,
    );
    const days = (cert.validTo.getTime() - ctx.now().getTime()) / DAY_MS;
    const when =
      days < 0
        ? `expired ${Math.abs(days).toFixed(1)} days ago`
        : `expires in ${days.toFixed(1)} days`;
    return {
      measurements: [
        ctx.measure('daysUntilExpiry', days, {
          message: `certificate ${cert.subject} (issuer ${
            cert.issuer
          }) ${when}, on ${cert.validTo.toISOString()}${
            cert.authorizationError
              ? `; not trusted: ${cert.authorizationError}`
              : ''
          }`,
        }),
      ],
    };
  },
};
