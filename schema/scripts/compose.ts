// Writes schema/supergraph.graphql from the four subgraph SDLs. Fails on any composition
// error or on a hint that matters, so a bad contract never reaches the gateway.
import { writeFileSync } from 'node:fs';
import { composeSupergraph, significantHints, supergraphPath } from '../src/index.ts';

const { supergraphSdl, errors, hints } = composeSupergraph();
for (const e of errors) console.error(`error: ${e.message}`);
const bad = significantHints(hints);
for (const h of bad) console.error(`hint ${h.definition.code}: ${h.message}`);
if (!supergraphSdl || bad.length > 0) process.exit(1);
writeFileSync(supergraphPath, supergraphSdl.endsWith('\n') ? supergraphSdl : `${supergraphSdl}\n`);
console.log(`wrote ${supergraphPath}`);
