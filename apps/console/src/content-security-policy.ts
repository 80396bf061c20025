import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const policy = (directives: Record<string, string>) =>
  Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');

const strict = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'frame-ancestors': "'none'",
  'form-action': "'self'",
};

/**
 * The policy of every console response: scripts and styles only as files from the console itself, no
 * inline code, no plugins, no framing. The inbox page keeps its script and style in files for this.
 */
export const consolePolicy = policy(strict);

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** A template literal's text as the script evaluates it (the simple escapes bundlers emit), or null when it interpolates. */
function literalText(raw: string): string | null {
  if (raw.includes('${')) return null;
  return raw.replace(/\\([nt`\\])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/**
 * bull-board's page (its own template and bundle, not ours) needs a few things beyond the strict policy,
 * each as narrow as it goes: `<base href>` (base-uri 'self'); data: images (its icons); and its few inline
 * styles, allowed by hash only: the loading placeholder's `<style>` block and style attributes in the
 * template, and the `<style>` its React code renders inside the Redis logo. The hashes are read from the
 * installed package at start-up, so an upgrade that changes them stays covered, and anything else inline
 * is still refused. The Google Fonts stylesheet it links stays refused: the admin page falls back to
 * system fonts rather than tell Google who opens it.
 */
export function bullBoardPolicy(uiDist = bullBoardDist()): string {
  const template = readFileSync(path.join(uiDist, 'index.ejs'), 'utf8');
  const scripts = readdirSync(path.join(uiDist, 'static/js'))
    .filter((file) => file.endsWith('.js'))
    .map((file) => readFileSync(path.join(uiDist, 'static/js', file), 'utf8'));
  const rendered = scripts.flatMap((code) =>
    [...code.matchAll(/\("style",\{children:`((?:[^`\\]|\\.)*)`\}\)/g)].map((m) => literalText(m[1] ?? '')),
  );
  const blocks = [
    ...new Set([
      ...[...template.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? ''),
      ...rendered.filter((t): t is string => t !== null),
    ]),
  ].map(sha256);
  const attributes = [...new Set([...template.matchAll(/\sstyle="([^"]*)"/g)].map((m) => sha256(m[1] ?? '')))];
  return policy({
    ...strict,
    'style-src-elem': ["'self'", ...blocks].join(' '),
    'style-src-attr': attributes.length ? ["'unsafe-hashes'", ...attributes].join(' ') : "'none'",
    'img-src': "'self' data:",
    'base-uri': "'self'",
  });
}

function bullBoardDist(): string {
  // Where @bull-board/api finds it: the installed @bull-board/ui package.
  return path.join(path.dirname(createRequire(import.meta.url).resolve('@bull-board/ui/package.json')), 'dist');
}
