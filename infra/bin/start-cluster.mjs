// npm run start:cluster: the production topology (HAProxy, 2 instances of each service, FerretDB on PostgreSQL).
import { checkNode, ensureDependencies, runTs } from './bootstrap.mjs';

checkNode();
ensureDependencies();
runTs('infra/cluster/src/start.ts', process.argv.slice(2));
