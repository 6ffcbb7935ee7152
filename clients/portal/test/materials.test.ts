import { describe, expect, it } from 'vitest';
import { missingMaterials, requiredMaterials } from '../src/lib/materials.ts';

describe('binding materials', () => {
  it('asks for the power of attorney, the firm letter and the licence when the client is the suspect', () => {
    expect(requiredMaterials('SELF').map((r) => r.kinds[0])).toEqual([
      'POWER_OF_ATTORNEY',
      'LAW_FIRM_LETTER',
      'LICENCE',
    ]);
  });

  it('adds the client’s ID and the relation proof for a relative', () => {
    expect(requiredMaterials('RELATIVE').map((r) => r.kinds[0])).toEqual([
      'POWER_OF_ATTORNEY',
      'LAW_FIRM_LETTER',
      'LICENCE',
      'CLIENT_ID',
      'RELATION_PROOF',
    ]);
  });

  it('accepts a legal-aid letter instead of a power of attorney', () => {
    expect(
      missingMaterials('LEGAL_AID', ['LEGAL_AID_LETTER', 'LAW_FIRM_LETTER', 'LICENCE']),
    ).toEqual([]);
  });

  it('lists what is still missing', () => {
    expect(missingMaterials('SELF', ['POWER_OF_ATTORNEY']).map((r) => r.label)).toEqual([
      '律师事务所函/证明',
      '律师执业证',
    ]);
  });
});
