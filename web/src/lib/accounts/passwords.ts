import { passwordSchema } from '@exam-hall/protocol';

/** Client-side check of a new password typed twice: the same rules the server applies. */
export function newPasswordProblems(password: string, confirm: string): { password?: string; confirm?: string } {
  const parsed = passwordSchema.safeParse(password);
  if (!password) return { password: 'Choose a password' };
  if (!parsed.success) return { password: parsed.error.issues[0]?.message ?? 'Choose another password' };
  if (password !== confirm) return { confirm: 'The two passwords are not the same' };
  return {};
}
