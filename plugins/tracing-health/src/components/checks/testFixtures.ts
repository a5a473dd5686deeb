import { CheckSummary } from '@internal/plugin-tracing-health-common';

const at = (minutesAgo: number) =>
  new Date(Date.now() - minutesAgo * 60_000).toISOString();

/** Checks as `GET /checks` returns them. */
export function checksFixture(): CheckSummary[] {
  return [
    {
      id: 'collector',
      type: 'otel-collector',
      title: 'Gateway collector',
      target: 'http://collector:13133/',
      intervalSeconds: 60,
      timeoutSeconds: 10,
      latest: {
        checkId: 'collector',
        checkType: 'otel-collector',
        status: 'ok',
        message: 'health_check answered 200: Server available',
        runbookId: 'collector-down',
        measurements: [],
        startedAt: at(2),
        durationMs: 12,
      },
      statusSince: at(120),
      recent: [
        { status: 'critical', startedAt: at(4) },
        { status: 'ok', startedAt: at(3) },
        { status: 'ok', startedAt: at(2) },
      ],
    },
    {
      id: 'kafka-lag',
      type: 'prometheus-query',
      title: 'Kafka consumer lag',
      target: 'http://prometheus:9090/',
      intervalSeconds: 60,
      timeoutSeconds: 10,
      latest: {
        checkId: 'kafka-lag',
        checkType: 'prometheus-query',
        status: 'warning',
        message: '{consumergroup="otel-ingester"} = 250000',
        value: 250000,
        threshold: 100000,
        runbookId: 'kafka-lag',
        measurements: [],
        startedAt: at(0),
        durationMs: 30,
      },
      recent: [{ status: 'warning', startedAt: at(1), value: 250000 }],
    },
    {
      id: 'volume',
      type: 'service-volume',
      title: 'Opted-in services sending traces',
      intervalSeconds: 60,
      timeoutSeconds: 10,
      latest: {
        checkId: 'volume',
        checkType: 'service-volume',
        status: 'critical',
        message:
          'inventory-api: inventory-api stopped sending traces; last one 25 min ago',
        runbookId: 'service-silent',
        measurements: [
          {
            name: 'tracesPerSecond',
            subject: 'checkout-api',
            status: 'ok',
            message: 'checkout-api: 12.50 traces/s, last 1 min ago',
            value: 12.5,
            runbookId: 'trace-data-loss',
          },
          {
            name: 'seen',
            subject: 'inventory-api',
            status: 'critical',
            message:
              'inventory-api stopped sending traces; last one 25 min ago',
            runbookId: 'service-silent',
          },
        ],
        startedAt: at(1),
        durationMs: 3,
      },
      recent: [],
    },
    {
      id: 'checkout-tls',
      type: 'tls-certificate',
      title: 'checkout TLS',
      target: 'checkout.example.com:443',
      service: 'checkout-api',
      intervalSeconds: 3600,
      timeoutSeconds: 10,
      latest: {
        checkId: 'checkout-tls',
        checkType: 'tls-certificate',
        status: 'critical',
        message: 'certificate checkout.example.com expires in 3.0 days',
        value: 3,
        unit: 'days',
        threshold: 7,
        runbookId: 'certificate-expiry',
        service: 'checkout-api',
        measurements: [],
        startedAt: at(30),
        durationMs: 40,
      },
      recent: [{ status: 'critical', startedAt: at(30), value: 3 }],
    },
    {
      id: 'search-http',
      type: 'http',
      title: 'search readiness',
      service: 'search-api',
      intervalSeconds: 60,
      timeoutSeconds: 10,
      recent: [],
    },
  ];
}
