import { Entity } from '@backstage/catalog-model';
import {
  parseTracingSettings,
  hasTracingAnnotations,
} from './parseTracingSettings';
import { optInAnnotationSnippet } from './annotations';

function component(
  annotations?: Record<string, string>,
  name = 'checkout',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

describe('parseTracingSettings', () => {
  it('reads a fully annotated component', () => {
    const settings = parseTracingSettings(
      component({
        'tracing-health/enabled': 'true',
        'tracing-health/service-name': 'checkout-api',
        'tracing-health/tier': 'critical',
        'tracing-health/runbook-url': 'https://runbooks.example.com/checkout',
      }),
    );
    expect(settings).toEqual({
      optedIn: true,
      serviceName: 'checkout-api',
      serviceNameSource: 'annotation',
      tier: 'critical',
      tierSource: 'annotation',
      runbookUrl: 'https://runbooks.example.com/checkout',
      errors: [],
    });
  });

  it('defaults service name to metadata.name and tier to standard', () => {
    const settings = parseTracingSettings(
      component({ 'tracing-health/enabled': 'true' }, 'payments'),
    );
    expect(settings.optedIn).toBe(true);
    expect(settings.serviceName).toBe('payments');
    expect(settings.serviceNameSource).toBe('metadata.name');
    expect(settings.tier).toBe('standard');
    expect(settings.tierSource).toBe('default');
    expect(settings.errors).toEqual([]);
  });

  it('treats a component without annotations as not opted in, without errors', () => {
    const settings = parseTracingSettings(component(undefined));
    expect(settings.optedIn).toBe(false);
    expect(settings.errors).toEqual([]);
    expect(hasTracingAnnotations(component(undefined))).toBe(false);
  });

  it.each([
    [
      'tracing-health/tier',
      'gold',
      'must be one of critical, standard, high-volume',
    ],
    ['tracing-health/enabled', 'yes', 'must be "true" or "false"'],
    [
      'tracing-health/service-name',
      'checkout api',
      'must not contain whitespace',
    ],
    ['tracing-health/service-name', '', 'must not be empty'],
    ['tracing-health/runbook-url', 'wiki/checkout', 'must be an absolute URL'],
    [
      'tracing-health/runbook-url',
      'ftp://example.com/rb',
      'must be an http or https URL',
    ],
  ])('reports %s=%j with a message naming the key', (key, value, message) => {
    const settings = parseTracingSettings(
      component({ 'tracing-health/enabled': 'true', [key]: value }),
    );
    expect(settings.errors).toHaveLength(1);
    expect(settings.errors[0].annotation).toBe(key);
    expect(settings.errors[0].value).toBe(value);
    expect(settings.errors[0].message).toContain(key);
    expect(settings.errors[0].message).toContain(message);
  });

  it('falls back to defaults for invalid values and keeps the valid ones', () => {
    const settings = parseTracingSettings(
      component({
        'tracing-health/enabled': 'true',
        'tracing-health/service-name': 'inventory-svc',
        'tracing-health/tier': 'gold',
      }),
    );
    expect(settings.optedIn).toBe(true);
    expect(settings.serviceName).toBe('inventory-svc');
    expect(settings.tier).toBe('standard');
    expect(settings.errors.map(e => e.annotation)).toEqual([
      'tracing-health/tier',
    ]);
  });

  it('does not opt in on an invalid enabled value', () => {
    const settings = parseTracingSettings(
      component({ 'tracing-health/enabled': 'TRUE' }),
    );
    expect(settings.optedIn).toBe(false);
    expect(settings.errors).toHaveLength(1);
  });
});

describe('optInAnnotationSnippet', () => {
  it('produces YAML with the opt-in annotation and the service name', () => {
    const snippet = optInAnnotationSnippet('orders');
    expect(snippet).toContain('tracing-health/enabled: "true"');
    expect(snippet).toContain('tracing-health/service-name: orders');
  });
});
