// The receiver's answers: 200 with partialSuccess, and google.rpc.Status bodies in the request's
// content type for errors and refusals.
import { ExportTraceServiceResponseCodec } from '../otlp/otlpRoot';
import { Admission } from './memoryLimiter';

export interface OtlpHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type OtlpFormat = 'protobuf' | 'json';

const CONTENT_TYPES: Record<OtlpFormat, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

// google.rpc.Code values for the HTTP statuses we answer with.
const RPC_CODES: Record<number, number> = {
  400: 3,
  413: 8,
  415: 3,
  429: 8,
  500: 13,
  503: 14,
};

function statusBody(
  format: OtlpFormat,
  status: number,
  message: string,
): Buffer {
  const code = RPC_CODES[status] ?? 2;
  if (format === 'json') return Buffer.from(JSON.stringify({ code, message }));
  const text = Buffer.from(message, 'utf8');
  const header: number[] = [0x08, code, 0x12];
  let n = text.length;
  while (n >= 128) {
    header.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  header.push(n);
  return Buffer.concat([Buffer.from(header), text]);
}

export function errorResponse(
  format: OtlpFormat,
  status: number,
  message: string,
  extraHeaders: Record<string, string> = {},
): OtlpHttpResponse {
  return {
    status,
    headers: { 'content-type': CONTENT_TYPES[format], ...extraHeaders },
    body: statusBody(format, status, message),
  };
}

export function refusal(
  format: OtlpFormat,
  admission: Extract<Admission, { admitted: false }>,
  extraHeaders: Record<string, string> = {},
): OtlpHttpResponse {
  const headers: Record<string, string> =
    admission.retryAfterSeconds !== undefined
      ? { 'retry-after': String(admission.retryAfterSeconds), ...extraHeaders }
      : extraHeaders;
  return errorResponse(format, admission.status, admission.message, headers);
}

export function successResponse(
  format: OtlpFormat,
  rejectedSpans: number,
  message?: string,
): OtlpHttpResponse {
  const partialSuccess =
    rejectedSpans > 0 ? { rejectedSpans, errorMessage: message } : undefined;
  const body =
    format === 'json'
      ? Buffer.from(
          JSON.stringify(
            partialSuccess
              ? {
                  partialSuccess: {
                    ...partialSuccess,
                    rejectedSpans: String(rejectedSpans),
                  },
                }
              : {},
          ),
        )
      : Buffer.from(
          ExportTraceServiceResponseCodec.encode({ partialSuccess }).finish(),
        );
  return {
    status: 200,
    headers: { 'content-type': CONTENT_TYPES[format] },
    body,
  };
}
