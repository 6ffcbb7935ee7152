import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { graphqlEnv, graphqlEnvPath } from '../../scripts/graphql-env.ts';

describe('typed documents', () => {
  it('src/graphql-env.d.ts is the committed supergraph’s API schema (regenerate: npm run types -w @yuejuan/client-shared)', () => {
    expect(readFileSync(graphqlEnvPath, 'utf8') === graphqlEnv()).toBe(true);
  });
});
