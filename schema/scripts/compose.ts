// Writes schema/supergraph.graphql from the four subgraph SDLs, and from it the integrators'
// contract (schema/contract.graphql) with its scopes (schema/scopes.json). Fails on any
// composition error, on a hint that matters or on an invalid contract, so a bad contract never
// reaches the gateway.
import { writeFileSync } from 'node:fs';
import { composeSupergraph, significantHints, supergraphPath } from '../src/index.ts';
import { buildContract, contractPath, scopesJson, scopesPath } from '../src/contract.ts';

const { supergraphSdl, errors, hints } = composeSupergraph();
for (const e of errors) console.error(`error: ${e.message}`);
const bad = significantHints(hints);
for (const h of bad) console.error(`hint ${h.definition.code}: ${h.message}`);
if (!supergraphSdl || bad.length > 0) process.exit(1);
const contract = buildContract(supergraphSdl);
writeFileSync(supergraphPath, supergraphSdl.endsWith('\n') ? supergraphSdl : `${supergraphSdl}\n`);
console.log(`wrote ${supergraphPath}`);
writeFileSync(contractPath, contract.sdl);
console.log(`wrote ${contractPath}`);
writeFileSync(scopesPath, scopesJson(contract));
console.log(`wrote ${scopesPath}`);
