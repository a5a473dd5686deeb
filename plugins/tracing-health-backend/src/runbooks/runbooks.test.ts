import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { RUNBOOK_IDS } from '@internal/plugin-tracing-health-common';
import { toTracedServiceInfo } from '../services/CatalogServices';
import { builtinCheckTypes } from '../checks/types/builtinCheckTypes';
import { RUNBOOK_LIBRARY } from './library';
import {
  placeholdersOf,
  RUNBOOK_PLACEHOLDERS,
  renderRunbookMarkdown,
} from './RunbookTemplate';
import { RunbookService } from './RunbookService';

const checkout: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    namespace: 'shop',
    annotations: {
      'tracing-health/enabled': 'true',
      'tracing-health/service-name': 'checkout-api',
      'tracing-health/runbook-url': 'https://wiki.example.com/checkout/runbook',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:default/payments-team',
    system: 'storefront',
  },
};

const service = new RunbookService({
  listServices: async () => [toTracedServiceInfo(checkout)],
  appBaseUrl: 'http://portal.example.com',
  backendBaseUrl: 'http://portal.example.com/api/tracing-health',
});

const checkTypes = () =>
  builtinCheckTypes({
    pipelineStatus: () => undefined,
    serviceVolume: () => undefined,
    optedInServices: async () => [],
    silentAfterMinutes: 10,
  });

describe('runbooks', () => {
  it('has exactly one runbook for every runbook id', () => {
    expect(RUNBOOK_LIBRARY.map(r => r.id).sort()).toEqual(
      [...RUNBOOK_IDS].sort(),
    );
  });

  it('names an existing runbook for every check type and every measurement', () => {
    const types = checkTypes();
    expect(types.map(t => t.type).sort()).toEqual([
      'elasticsearch',
      'http',
      'jaeger',
      'opensearch',
      'otel-collector',
      'pipeline',
      'prometheus-query',
      'service-volume',
      'tls-certificate',
    ]);
    const ids = new Set(RUNBOOK_LIBRARY.map(r => r.id));
    const referenced = types.flatMap(type => [
      type.runbookId,
      ...Object.values(type.measurements).flatMap(spec =>
        spec.runbookId ? [spec.runbookId] : [],
      ),
    ]);
    expect(referenced.length).toBeGreaterThan(types.length);
    expect(referenced.filter(id => !ids.has(id))).toEqual([]);
  });

  // What each check type checks, as its runbooks must name it in their title or summary: a
  // failing check links a runbook about that thing (not, say, the Collector's for any URL).
  const SUBJECT_OF_TYPE: Record<string, RegExp> = {
    'otel-collector': /Collector/,
    jaeger: /Jaeger/,
    elasticsearch: /Elasticsearch/,
    opensearch: /OpenSearch/,
    'prometheus-query': /Prometheus|PromQL/,
    'tls-certificate': /certificate/i,
    http: /http check|checked endpoint/i,
    pipeline: /pipeline/i,
    'service-volume': /service/,
  };

  it('knows the subject of every built-in check type', () => {
    expect(Object.keys(SUBJECT_OF_TYPE).sort()).toEqual(
      checkTypes()
        .map(t => t.type)
        .sort(),
    );
  });

  it.each(Object.entries(SUBJECT_OF_TYPE))(
    'every runbook the %s check type links is about what it checks',
    (typeName, subject) => {
      const type = checkTypes().find(t => t.type === typeName)!;
      const linked = new Set([
        type.runbookId,
        ...Object.values(type.measurements).flatMap(spec =>
          spec.runbookId ? [spec.runbookId] : [],
        ),
      ]);
      const offTopic = [...linked].filter(id => {
        const runbook = RUNBOOK_LIBRARY.find(r => r.id === id)!;
        return !subject.test(`${runbook.title} ${runbook.summary}`);
      });
      expect(offTopic).toEqual([]);
    },
  );

  it('links the http check to runbooks about endpoints, not the collector', () => {
    const http = checkTypes().find(t => t.type === 'http')!;
    expect(http.runbookId).toBe('endpoint-down');
    expect(http.measurements.status.runbookId).toBe('endpoint-down');
    expect(http.measurements.latencyMs.runbookId).toBe('endpoint-slow');
  });

  it.each(RUNBOOK_LIBRARY.map(r => [r.id, r] as const))(
    '%s has symptoms, diagnosis, resolution and prevention, and only known placeholders',
    (_id, runbook) => {
      for (const section of [
        'Symptoms',
        'Diagnosis',
        'Resolution',
        'Prevention',
      ]) {
        expect(runbook.markdown).toContain(`## ${section}`);
      }
      const known = Object.keys(RUNBOOK_PLACEHOLDERS);
      for (const name of placeholdersOf(runbook.markdown + runbook.summary)) {
        expect(known).toContain(name);
      }
    },
  );

  it('fills placeholders with the service, its owner and portal links', async () => {
    const doc = await service.get('service-silent', {
      serviceName: 'checkout-api',
      credentials: mockCredentials.user(),
    });
    expect(doc.markdown).not.toMatch(/\{\{|\}\}/);
    expect(doc.summary).toBe(
      'checkout-api sent traces before but nothing arrived within the silence window.',
    );
    expect(doc.markdown).toContain(
      'Contact payments-team (http://portal.example.com/catalog/shop/component/checkout/tracing)',
    );
    expect(doc.markdown).toContain(
      'http://portal.example.com/api/tracing-health/v1/traces',
    );
    expect(doc.markdown).toContain(
      '[health board](http://portal.example.com/tracing-health)',
    );
    expect(doc.serviceRunbookUrl).toBe(
      'https://wiki.example.com/checkout/runbook',
    );
  });

  it('renders generic wording without a service, for every runbook', async () => {
    for (const { id } of RUNBOOK_LIBRARY) {
      const doc = await service.get(id, {
        credentials: mockCredentials.user(),
      });
      expect(doc.markdown).not.toMatch(/\{\{|\}\}/);
      expect(doc.serviceRunbookUrl).toBeUndefined();
    }
    const doc = await service.get('no-traces', {
      credentials: mockCredentials.user(),
    });
    expect(doc.summary).toBe(
      'the service opted into tracing but no traces have arrived.',
    );
  });

  it('rejects unknown placeholders and unknown runbooks', async () => {
    expect(() => renderRunbookMarkdown('call {{pager}}', {} as any)).toThrow(
      'unknown runbook placeholder {{pager}}',
    );
    await expect(
      service.get('nope', { credentials: mockCredentials.user() }),
    ).rejects.toThrow('No runbook "nope"');
  });
});
