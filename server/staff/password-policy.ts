import { AppError } from '../http/errors';

/** A few passwords every guessing list starts with; length alone does not rule them out. */
const COMMON = new Set([
  '1234567890', '12345678910', '0123456789', 'password123', 'password1234', 'qwertyuiop', '1q2w3e4r5t', 'a123456789',
  'abc1234567', 'admin12345', 'admin123456', 'administrator', 'iloveyou123', '1111111111', '0000000000', '5201314520',
]);

/** Length, not the username, not a known-common one. Throws STAFF_PASSWORD_WEAK with the reason. */
export function checkPasswordPolicy(password: string, username: string, minLength: number): void {
  const p = password.normalize('NFKC');
  if ([...p].length < minLength) throw new AppError('STAFF_PASSWORD_WEAK', `密码至少需要${minLength}个字符。`);
  const lower = p.toLowerCase();
  if (lower.includes(username.toLowerCase())) throw new AppError('STAFF_PASSWORD_WEAK', '密码不能包含用户名。');
  if (COMMON.has(lower) || /^(.)\1+$/.test(p)) throw new AppError('STAFF_PASSWORD_WEAK', '密码过于常见，请换一个。');
}
