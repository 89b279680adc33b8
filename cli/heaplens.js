#!/usr/bin/env node
// The `heaplens` command: runs the TypeScript engine directly through tsx's loader, so the CLI
// and the web app share one engine with no separate build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
