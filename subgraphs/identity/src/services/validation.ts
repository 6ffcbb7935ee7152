import { AppError } from '@yuejuan/runtime';

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkChars = '10X98765432';

/** GB 11643 check character of the first 17 digits of a resident ID number. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * weights[i]!;
  return checkChars[sum % 11]!;
}

/** Why a resident ID number (身份证号) is invalid, or null when it is valid. */
export function idNumberProblem(value: string): string | null {
  if (!/^[1-9]\d{16}[\dXx]$/.test(value)) return '身份证号应为18位，前17位为数字，末位为数字或X。';
  const y = Number(value.slice(6, 10)),
    m = Number(value.slice(10, 12)),
    d = Number(value.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (
    y < 1900 ||
    date.getUTCMonth() !== m - 1 ||
    date.getUTCDate() !== d ||
    date.getTime() > Date.now()
  )
    return '身份证号中的出生日期无效。';
  if (idCheckCharacter(value.slice(0, 17)) !== value[17]!.toUpperCase())
    return '身份证号校验位不正确，请核对。';
  return null;
}

/** Why a lawyer licence number (执业证号) is invalid, or null. */
export function licenceNumberProblem(value: string): string | null {
  return /^\d{17}$/.test(value) ? null : '执业证号应为17位数字。';
}

/** Why a mainland mobile number is invalid, or null. */
export function phoneProblem(value: string): string | null {
  return /^1[3-9]\d{9}$/.test(value) ? null : '手机号码应为11位，以1开头，第二位为3至9。';
}

/** Throws BAD_USER_INPUT naming the field when `problem` is not null. */
export function check(field: string, problem: string | null): void {
  if (problem) throw new AppError('BAD_USER_INPUT', problem, { field });
}

/** 110101199003071234 → 110101********1234. */
export const maskIdNumber = (v: string): string => `${v.slice(0, 6)}********${v.slice(-4)}`;
/** 13812345678 → 138****5678. */
export const maskPhone = (v: string): string => `${v.slice(0, 3)}****${v.slice(-4)}`;
