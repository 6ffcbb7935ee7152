import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkContract,
  contractFiles,
  intendedText,
  readIntended,
  releaseContract,
  type ContractFiles,
} from '../../src/changes.ts';
import { readContract } from '../../src/contract.ts';

const current = readContract();
/** Case.stage, cut out of the contract: a removed field, the classic breaking change. */
const stageLine = /\n\s*"""诉讼阶段: stage of the proceedings."""\n\s*stage: CaseStage!\n/;
const withoutStage = () => {
  if (!stageLine.test(current)) throw new Error('Case.stage moved: update this test');
  return current.replace(stageLine, '\n');
};
/** A new optional field on Case: not breaking. */
const withCourt = () =>
  current.replace(
    /type Case \{\n/,
    'type Case {\n  """受理法院 (the court, once filed)."""\n  court: String\n\n',
  );

describe('the breaking-change check of the committed tree', () => {
  it('passes: every breaking change since the released contract is recorded as intended', async () => {
    const check = await checkContract();
    expect(check.unrecorded.map((c) => `${c.type} ${c.path}`)).toEqual([]);
    expect(check.stale).toEqual([]);
    expect(readIntended(contractFiles.intended)).toBeInstanceOf(Array);
  });
});

describe('the breaking-change check and the release, on a copy', () => {
  let dir: string;
  let files: ContractFiles;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'yuejuan-contract-'));
    files = {
      contract: join(dir, 'contract.graphql'),
      released: join(dir, 'contract.released.graphql'),
      intended: join(dir, 'breaking-changes.json'),
      changelog: join(dir, 'CHANGELOG.md'),
    };
    writeFileSync(files.released, current);
    writeFileSync(files.intended, intendedText([]));
    copyFileSync(contractFiles.changelog, files.changelog);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('catches a removed field that nobody recorded, and the release refuses it', async () => {
    writeFileSync(files.contract, withoutStage());
    const check = await checkContract(files);
    expect(check.unrecorded.map((c) => [c.type, c.path, c.level])).toEqual([
      ['FIELD_REMOVED', 'Case.stage', 'BREAKING'],
    ]);
    const release = await releaseContract('2027-01-01', files);
    expect(release).toMatchObject({ released: false, reason: 'unrecorded' });
    expect(readFileSync(files.released, 'utf8')).toBe(current);
  });

  it('passes a breaking change recorded as intended, and releases it with its reason', async () => {
    writeFileSync(files.contract, withoutStage());
    writeFileSync(
      files.intended,
      intendedText([
        {
          type: 'FIELD_REMOVED',
          path: 'Case.stage',
          reason: 'stage moves to Case.proceedings; read it there',
        },
      ]),
    );
    const check = await checkContract(files);
    expect(check.unrecorded).toEqual([]);
    expect(check.stale).toEqual([]);
    const release = await releaseContract('2027-01-01', files);
    expect(release.released).toBe(true);
    const changelog = readFileSync(files.changelog, 'utf8');
    expect(changelog).toContain('## 2027-01-01\n\n### Breaking (recorded as intended)');
    expect(changelog).toMatch(
      /- `Case.stage` Field 'stage' .*removed.* — stage moves to Case.proceedings; read it there \(FIELD_REMOVED\)/,
    );
    // Newest first: the new section comes before the first release's.
    expect(changelog.indexOf('## 2027-01-01')).toBeLessThan(changelog.indexOf('first release'));
    expect(readFileSync(files.released, 'utf8')).toBe(withoutStage());
    expect(readIntended(files.intended)).toEqual([]);
    // Released: the same contract again is nothing new.
    expect(await releaseContract('2027-01-02', files)).toEqual({
      released: false,
      reason: 'unchanged',
    });
  });

  it('needs no record for an added field, and lists it as non-breaking', async () => {
    writeFileSync(files.contract, withCourt());
    const check = await checkContract(files);
    expect(check.unrecorded).toEqual([]);
    expect(check.changes.map((c) => [c.type, c.path, c.level])).toContainEqual([
      'FIELD_ADDED',
      'Case.court',
      'NON_BREAKING',
    ]);
    expect(check.changes.every((c) => c.level === 'NON_BREAKING')).toBe(true);
    await releaseContract('2027-02-01', files);
    expect(readFileSync(files.changelog, 'utf8')).toMatch(
      /## 2027-02-01\n\n### Non-breaking\n\n- `Case.court` Field 'court' was added/,
    );
  });

  it('fails on a recorded intention that matches no change (a stale record)', async () => {
    writeFileSync(files.contract, current);
    writeFileSync(
      files.intended,
      intendedText([{ type: 'FIELD_REMOVED', path: 'Query.case', reason: 'not made' }]),
    );
    expect((await checkContract(files)).stale).toEqual([
      { type: 'FIELD_REMOVED', path: 'Query.case', reason: 'not made' },
    ]);
  });

  it('refuses a record without a reason', () => {
    writeFileSync(
      files.intended,
      JSON.stringify({ intended: [{ type: 'FIELD_REMOVED', path: 'Case.stage', reason: ' ' }] }),
    );
    expect(() => readIntended(files.intended)).toThrow(/a reason/);
  });
});
