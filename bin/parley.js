#!/usr/bin/env node
// Entry point for `npx parley` and `npm start`: loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/server/cli/cli.ts');
const code = await runCli(process.argv.slice(2));
if (code >= 0) process.exit(code);
