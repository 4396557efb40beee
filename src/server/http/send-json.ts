// Sends an already-serialized JSON body: Fastify passes a string or Buffer with a JSON content
// type through untouched, skipping the route's response serializer (zod parse + stringify).
import type { FastifyReply } from 'fastify';

export function sendJson(reply: FastifyReply, json: string | Buffer): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}
