/**
 * 统一社会信用代码 (unified social credit code, GB 32100-2015): the code scheme agencies and
 * enterprises carry instead of an administrative division code. 18 characters: registration
 * authority, organisation type, 6-digit division code, 9-character organisation code, and a
 * check character.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function usccCheckChar(first17: string): string {
  if (first17.length !== 17) throw new Error(`统一社会信用代码前17位长度错误 / Expected 17 characters, got ${first17.length}`);
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    const value = ALPHABET.indexOf(first17[i] as string);
    if (value < 0) throw new Error(`统一社会信用代码含非法字符 / Invalid character "${first17[i]}"`);
    sum += value * (WEIGHTS[i] as number);
  }
  return ALPHABET[(31 - (sum % 31)) % 31] as string;
}

/** Appends the check character to the first 17 characters. */
export function uscc(first17: string): string {
  return first17 + usccCheckChar(first17);
}

export function isValidUscc(code: string): boolean {
  return /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code) && usccCheckChar(code.slice(0, 17)) === code[17];
}
