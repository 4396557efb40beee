// Every job type the worker knows, in one table: each feature module exports its handler.
import type { JobHandlers } from './runner.ts';

export const jobHandlers: JobHandlers = {};
