import { ResponseError } from '@backstage/errors';
import { SamplingValidationFailedError } from './SamplingValidationFailedError';
import { TracingHealthClient } from './TracingHealthClient';

const BASE = 'http://portal/api/tracing-health';

function client(answer: (url: string, init?: RequestInit) => Response) {
  const calls: Array<{ url: string; method?: string; body?: unknown }> = [];
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      calls.push({
        url,
        method: init?.method,
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      });
      return answer(url, init);
    },
  );
  const api = new TracingHealthClient({
    discoveryApi: { getBaseUrl: async () => BASE },
    fetchApi: { fetch },
  });
  return { api, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

describe('TracingHealthClient (through the client generated from openapi.yaml)', () => {
  it('builds the paths and queries the spec declares, encoding each path segment', async () => {
    const { api, calls } = client(() => json(200, { items: [] }));
    await api.getEntityCoverage(
      { kind: 'component', namespace: 'default', name: 'a/b' },
      { hours: 6 },
    );
    await api.getFleetCoverage({
      owner: 'team-a',
      state: ['traced', 'silent'],
    });
    await api.getSamplingHistory('check out', { limit: 5 });
    await api.getSamplingHistory();
    await api.updateSamplingPolicy('checkout', {
      policy: { strategy: { type: 'probabilistic', rate: 0.5 } },
      reason: 'incident',
    } as any);
    expect(calls).toEqual([
      {
        url: `${BASE}/coverage/entity/default/component/a%2Fb?hours=6`,
        method: 'GET',
        body: undefined,
      },
      {
        url: `${BASE}/coverage/fleet?owner=team-a&state=traced%2Csilent`,
        method: 'GET',
        body: undefined,
      },
      {
        url: `${BASE}/policies/check%20out/history?limit=5`,
        method: 'GET',
        body: undefined,
      },
      { url: `${BASE}/sampling-history`, method: 'GET', body: undefined },
      {
        url: `${BASE}/policies/checkout`,
        method: 'PUT',
        body: {
          policy: { strategy: { type: 'probabilistic', rate: 0.5 } },
          reason: 'incident',
        },
      },
    ]);
  });

  it('turns a 400 with errors by path into SamplingValidationFailedError, other failures into ResponseError', async () => {
    const errors = [{ path: 'reason', message: 'is required' }];
    const refused = client(() =>
      json(400, { error: { name: 'InputError', message: 'x' }, errors }),
    );
    const failure = await refused.api
      .createSamplingOverride({} as any)
      .catch(e => e);
    expect(failure).toBeInstanceOf(SamplingValidationFailedError);
    expect(failure.errors).toEqual(errors);

    const missing = client(() =>
      json(404, { error: { name: 'NotFoundError', message: 'no such check' } }),
    );
    await expect(missing.api.getChecks()).rejects.toBeInstanceOf(ResponseError);
  });
});
