// npm start: the whole stack on the embedded database with demo data.
import { checkNode, ensureDependencies, runTs } from './bootstrap.mjs';

checkNode();
ensureDependencies();
runTs('infra/ops/src/stack/start.ts', process.argv.slice(2));
