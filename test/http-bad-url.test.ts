// Requests Fastify rejects before routing (a malformed %-escape in the path) still get the API's
// error shape, on both stores.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachStore } from './helpers/stores.ts';
import { testApp } from './helpers/api.ts';

describeEachStore('malformed URLs', (store) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(store().deps);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers a malformed percent-escape with 400 and {"error":{code,message}}', async () => {
    for (const url of ['/api/v1/conversations/%E0%A4%A', '/assets/%E0%A4%A.js']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toEqual({ error: { code: 'bad_request', message: 'The URL is malformed' } });
    }
  });
});
