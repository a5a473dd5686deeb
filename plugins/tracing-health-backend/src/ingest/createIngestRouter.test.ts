import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import express from 'express';
import request from 'supertest';
import { createIngestRouter, OtlpRequestHandler } from './createIngestRouter';
import { IngestRequestRecord } from './IngestLog';

function app(
  options: {
    log?: { request(record: IngestRequestRecord): void };
    credentials?: BackstageCredentials;
  } = {},
) {
  const seen: Parameters<OtlpRequestHandler['handle']>[0][] = [];
  const pipeline: OtlpRequestHandler = {
    async handle(req) {
      seen.push(req);
      return {
        status: 200,
        headers: { 'content-type': 'application/x-protobuf' },
        body: Buffer.alloc(0),
      };
    },
  };
  const server = express().use(
    createIngestRouter({
      httpAuth: mockServices.httpAuth({
        defaultCredentials: options.credentials ?? mockCredentials.service(),
      }),
      pipeline,
      log: options.log,
    }),
    mockErrorHandler(),
  );
  return { server, seen };
}

describe('createIngestRouter', () => {
  it('hands a POST to the pipeline with its headers', async () => {
    const { server, seen } = app();
    const res = await request(server)
      .post('/v1/traces')
      .set('content-type', 'application/x-protobuf')
      .send(Buffer.from([1, 2, 3]));
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      contentType: 'application/x-protobuf',
      contentLength: '3',
    });
  });

  it.each(['get', 'put', 'delete', 'patch'] as const)(
    'answers %s with 405, Allow: POST and a JSON message',
    async method => {
      const { server, seen } = app();
      const res = await request(server)[method]('/v1/traces');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.error.message).toBe(
        `${method.toUpperCase()} is not supported on /v1/traces; send OTLP/HTTP export requests with POST`,
      );
      expect(seen).toHaveLength(0);
    },
  );

  it('reports every finished request to the log, refused ones included', async () => {
    const records: IngestRequestRecord[] = [];
    const log = { request: (r: IngestRequestRecord) => records.push(r) };
    await request(app({ log }).server)
      .post('/v1/traces')
      .set('content-type', 'application/x-protobuf')
      .send(Buffer.from([1, 2, 3]));
    await request(app({ log, credentials: mockCredentials.user() }).server)
      .post('/v1/traces')
      .set('content-type', 'application/x-protobuf')
      .send(Buffer.from([1]));
    await request(app({ log }).server).get('/v1/traces');
    expect(
      records.map(({ method, status, bytes }) => ({ method, status, bytes })),
    ).toEqual([
      { method: 'POST', status: 200, bytes: 3 },
      { method: 'POST', status: 403, bytes: 1 },
      { method: 'GET', status: 405, bytes: undefined },
    ]);
  });
});
