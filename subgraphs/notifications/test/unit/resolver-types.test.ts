import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolverTypes } from '@yuejuan/schema/codegen';
import { config, generatedPath } from '../../scripts/codegen.ts';

describe('resolver types', () => {
  it('src/generated/resolvers.ts is current with schema/notifications.graphql (regenerate: npm run codegen)', async () => {
    expect(
      readFileSync(generatedPath, 'utf8') === (await resolverTypes('notifications', config)),
    ).toBe(true);
  });
});
