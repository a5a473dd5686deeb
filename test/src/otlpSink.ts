import { OtlpSink } from '@internal/tracing-pipeline/src/testing/otlpSink';

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
  statusCode: number;
}

const hex = (bytes: Uint8Array | null | undefined) =>
  Buffer.from(bytes ?? []).toString('hex');

/**
 * The pipeline package's real OTLP sink (decodes with the same schema package, keeps the raw
 * bytes), with the received spans flattened per service for end-to-end assertions.
 */
export async function startOtlpSink() {
  const sink = await new OtlpSink().start();
  const spans = (): ReceivedSpan[] =>
    sink.requests.flatMap(request =>
      (request.resourceSpans ?? []).flatMap(rs => {
        const service = String(
          rs.resource?.attributes?.find(a => a.key === 'service.name')?.value
            ?.stringValue ?? '',
        );
        return (rs.scopeSpans ?? []).flatMap(ss =>
          (ss.spans ?? []).map(s => ({
            service,
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            parentSpanId: hex(s.parentSpanId),
            name: s.name ?? '',
            statusCode: s.status?.code ?? 0,
            attributes: Object.fromEntries(
              (s.attributes ?? []).map(a => {
                const v = a.value ?? {};
                const int =
                  v.intValue !== undefined && v.intValue !== null
                    ? Number(v.intValue)
                    : undefined;
                return [
                  a.key ?? '',
                  v.stringValue ?? v.boolValue ?? v.doubleValue ?? int,
                ];
              }),
            ),
          })),
        );
      }),
    );
  return {
    endpoint: sink.url,
    get spans() {
      return spans();
    },
    rawBytes: () => Buffer.concat(sink.rawBodies),
    close: () => sink.stop(),
  };
}
