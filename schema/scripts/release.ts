// npm run schema:release -w @yuejuan/schema [-- "title"]: appends the contract's changes since
// the last release to schema/CHANGELOG.md and makes the current contract the released one.
// Refuses while a breaking change is not recorded in schema/breaking-changes.json.
import { releaseContract } from '../src/changes.ts';

const title = process.argv[2] ?? new Date().toISOString().slice(0, 10);
const result = await releaseContract(title);
if (!result.released && result.reason === 'unrecorded') {
  console.error('breaking changes not recorded as intended in schema/breaking-changes.json:');
  for (const c of result.unrecorded) console.error(`  ${c.type} ${c.path}: ${c.message}`);
  process.exit(1);
}
if (!result.released) console.log('the contract has not changed since its last release');
else console.log(`released: ${result.changes.length} change(s) recorded in schema/CHANGELOG.md`);
