// Calls the API in-process through Fastify's inject, as a bearer-token client.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/http/app.ts';
import type { Deps } from '../../src/server/deps.ts';

export async function testApp(deps: Deps): Promise<FastifyInstance> {
  const app = await buildApp(deps, { serveWebApp: false });
  await app.ready();
  return app;
}

export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

export function apiClient(app: FastifyInstance, token?: string) {
  const call = async <T = any>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<ApiResult<T>> => {
    const res = await app.inject({
      method,
      url: url.startsWith('/api') || url.startsWith('/healthz') || url.startsWith('/readyz') ? url : `/api/v1${url}`,
      payload: payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers: {
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
    });
    let body: unknown = res.body;
    try {
      body = res.body ? JSON.parse(res.body) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.statusCode, body: body as T, headers: res.headers };
  };
  return {
    get: <T = any>(url: string, headers?: Record<string, string>) => call<T>('GET', url, undefined, headers),
    post: <T = any>(url: string, payload?: unknown, headers?: Record<string, string>) => call<T>('POST', url, payload ?? {}, headers),
    patch: <T = any>(url: string, payload?: unknown, headers?: Record<string, string>) => call<T>('PATCH', url, payload ?? {}, headers),
    put: <T = any>(url: string, payload?: unknown, headers?: Record<string, string>) => call<T>('PUT', url, payload ?? {}, headers),
    delete: <T = any>(url: string, headers?: Record<string, string>) => call<T>('DELETE', url, undefined, headers),
  };
}
