/** Prints the scrypt hash of a console password read from stdin: `echo -n 'secret' | npm run -s hash-password`. */
import { hashPassword } from '@answerbridge/console';

let input = '';
for await (const chunk of process.stdin) input += String(chunk);
const password = input.replace(/\r?\n$/, '');
if (password.length < 8) {
  console.error('hash-password: give a password of at least 8 characters on stdin');
  process.exit(2);
}
console.log(await hashPassword(password));
