// npm test: every test of every package, on one database server for the whole run.
import { checkNode, ensureDependencies, runTs } from './bootstrap.mjs';

checkNode();
ensureDependencies();
runTs('infra/ops/src/stack/test.ts', process.argv.slice(2));
