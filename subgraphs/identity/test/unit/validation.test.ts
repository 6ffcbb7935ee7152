import { describe, expect, it } from 'vitest';
import {
  idNumberProblem,
  licenceNumberProblem,
  maskIdNumber,
  maskPhone,
  phoneProblem,
} from '../../src/services/validation.ts';

describe('idNumberProblem (GB 11643)', () => {
  it('accepts an ID number with the right check digit', () => {
    expect(idNumberProblem('310104198506123017')).toBeNull();
    expect(idNumberProblem('11010519900307005X')).toBeNull();
  });

  it('accepts a lower-case x check character', () => {
    expect(idNumberProblem('11010519900307005x')).toBeNull();
  });

  it('refuses a wrong check digit', () => {
    expect(idNumberProblem('310104198506123018')).toMatch(/校验位/);
    expect(idNumberProblem('310104198506123011')).toMatch(/校验位/);
    expect(idNumberProblem('110105199003070050')).toMatch(/校验位/);
  });

  it('refuses an impossible or future birth date', () => {
    expect(idNumberProblem('310104199002301234')).toMatch(/出生日期/); // 30 February
    expect(idNumberProblem('310104198513011234')).toMatch(/出生日期/); // month 13
    expect(idNumberProblem('310104189912311234')).toMatch(/出生日期/); // before 1900
    expect(idNumberProblem('310104209901011234')).toMatch(/出生日期/); // in the future
  });

  it('refuses a wrong length or characters', () => {
    expect(idNumberProblem('31010419850612301')).toMatch(/18位/);
    expect(idNumberProblem('3101041985061230171')).toMatch(/18位/);
    expect(idNumberProblem('31010419850612301Y')).toMatch(/18位/);
    expect(idNumberProblem('010104198506123017')).toMatch(/18位/);
    expect(idNumberProblem('')).toMatch(/18位/);
  });
});

describe('licenceNumberProblem', () => {
  it('accepts 17 digits only', () => {
    expect(licenceNumberProblem('13101200510123456')).toBeNull();
    expect(licenceNumberProblem('1310120051012345')).toMatch(/17位/);
    expect(licenceNumberProblem('131012005101234567')).toMatch(/17位/);
    expect(licenceNumberProblem('1310120051012345A')).toMatch(/17位/);
  });
});

describe('phoneProblem', () => {
  it('accepts mainland mobile numbers 1[3-9] and 11 digits', () => {
    expect(phoneProblem('13812345678')).toBeNull();
    expect(phoneProblem('19912345678')).toBeNull();
    expect(phoneProblem('12812345678')).toMatch(/11位/);
    expect(phoneProblem('1381234567')).toMatch(/11位/);
    expect(phoneProblem('+8613812345678')).toMatch(/11位/);
  });
});

describe('masks', () => {
  it('keep the first 6 and last 4 of an ID number, the first 3 and last 4 of a phone', () => {
    expect(maskIdNumber('310104198506123017')).toBe('310104********3017');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
});
