import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { createIngestRouter, OtlpRequestHandler } from './createIngestRouter';

function app() {
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
        defaultCredentials: mockCredentials.service(),
      }),
      pipeline,
    }),
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
});
