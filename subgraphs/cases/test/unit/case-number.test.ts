// 部门受案号 as typed by people, normalised once (issue 15.11), without a database.
import { describe, expect, it } from 'vitest';
import { canonicalCaseNumber } from '../../src/services/case.service.ts';

describe('canonicalCaseNumber', () => {
  it('accepts any year brackets, spaces and full-width characters as the stored form', () => {
    const stored = '沪检刑诉〔2025〕1234号';
    for (const typed of [
      '沪检刑诉[2025]1234号',
      '沪检刑诉【2025】1234号',
      '沪检刑诉(2025)1234号',
      '沪检刑诉（2025）1234号',
      '沪检刑诉［２０２５］１２３４号',
      ' 沪检刑诉 〔2025〕 1234号 ',
      stored,
    ])
      expect(canonicalCaseNumber(typed), typed).toBe(stored);
  });

  it('keeps other numbers apart', () => {
    expect(canonicalCaseNumber('沪检刑诉〔2025〕1235号')).not.toBe(
      canonicalCaseNumber('沪检刑诉〔2025〕1234号'),
    );
    expect(canonicalCaseNumber('皖检刑诉〔2025〕1234号')).not.toBe(
      canonicalCaseNumber('沪检刑诉〔2025〕1234号'),
    );
  });
});
