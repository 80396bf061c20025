import { readFileSync } from 'node:fs';
import { ConfigError } from '@answerbridge/config';
import { z } from 'zod';
import { verifyPassword } from './password-hash';

const UserSchema = z.object({
  username: z.string().regex(/^[a-z0-9_.-]{2,32}$/),
  displayName: z.string().min(1),
  role: z.enum(['agent', 'admin']),
  passwordHash: z.string().startsWith('scrypt$'),
});
export type ConsoleUser = z.infer<typeof UserSchema>;

export function loadUsers(file: string): ConsoleUser[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`console users file ${file}: ${(error as Error).message}`);
  }
  const parsed = z.object({ users: z.array(UserSchema).min(1) }).safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      `console users file ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data.users;
}

// Checked against when the user does not exist, so a wrong username costs the same time as a wrong password.
const DUMMY_HASH = 'scrypt$16384$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export async function authenticate(
  users: ConsoleUser[],
  username: string,
  password: string,
): Promise<ConsoleUser | null> {
  const user = users.find((u) => u.username === username);
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  return user && ok ? user : null;
}
