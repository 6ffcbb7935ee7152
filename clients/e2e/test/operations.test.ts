import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, validate } from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@yuejuan/database';
import { supergraphPath } from '@yuejuan/schema';
import { collectOperations } from '../src/operations.ts';

// Every operation the portal, the verifier and the console send must be valid against the
// composed contract (schema/supergraph.graphql): a renamed field fails here, not in a browser.
const schema = Supergraph.build(readFileSync(supergraphPath, 'utf8'))
  .apiSchema()
  .toGraphQLJSSchema();
const operations = collectOperations(join(repoRoot(), 'clients'), [
  'portal/src',
  'verifier/src',
  'console/src',
  'shared/src',
]);

describe('client operations', () => {
  it('finds the operations of all three apps', () => {
    expect(operations.length).toBeGreaterThan(60);
    expect(new Set(operations.map((o) => o.file.split('/')[0]))).toEqual(
      new Set(['portal', 'verifier', 'console', 'shared']),
    );
  });

  it('are static text, as persisted operations must be', () => {
    expect(operations.filter((o) => o.source.includes('${')).map((o) => o.file)).toEqual([]);
  });

  it.each(
    operations.map((o) => [o.file, o.source.trim().split(/[\s({]/)[1] ?? '', o.source] as const),
  )('%s: %s is valid against the supergraph', (_file, _name, source) => {
    expect(validate(schema, parse(source)).map((e) => e.message)).toEqual([]);
  });
});
