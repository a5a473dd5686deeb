import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  NodeTracerProvider,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { DEV_INGEST_TOKEN } from './portal';

/** A real OpenTelemetry JS SDK tracer provider exporting to the portal's OTLP endpoint. */
export function sdkTracerProvider(options: {
  baseUrl: string;
  serviceName: string;
  encoding: 'protobuf' | 'json';
  token?: string;
}) {
  const exporterOptions = {
    url: `${options.baseUrl}/api/tracing-health/v1/traces`,
    headers: { Authorization: `Bearer ${options.token ?? DEV_INGEST_TOKEN}` },
  };
  const exporter =
    options.encoding === 'protobuf'
      ? new ProtoExporter(exporterOptions)
      : new JsonExporter(exporterOptions);
  return new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
}
