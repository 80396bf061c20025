export { bootstrap, type RunningConsole } from './bootstrap';
export { hashPassword, verifyPassword } from './password-hash';
