import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A reader of the README or docs/ follows links in a clone of the repository, where nothing outside it
 * exists: every relative link (and every relative path to a document in backticks, `../x.md`) must lead to a
 * file or folder inside the repository. Web links are not fetched.
 */
const root = path.resolve(import.meta.dirname, '../..');

/** Markdown documents people are pointed at: the README, docs/ and the deploy guides. */
function documents(): string[] {
  const found = ['README.md'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.md')) found.push(rel);
    }
  };
  walk('docs');
  walk('deploy');
  return found;
}

interface BrokenLink {
  document: string;
  line: number;
  target: string;
  problem: string;
}

/** Relative targets of `[text](target)`, `![alt](target)`, `[ref]: target` and backticked `*.md` names. */
function targetsOf(text: string): { line: number; target: string; named: boolean }[] {
  const targets: { line: number; target: string; named: boolean }[] = [];
  let inFence = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (inFence) return;
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      targets.push({ line: i + 1, target: m[1] ?? '', named: false });
    const reference = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(line);
    if (reference) targets.push({ line: i + 1, target: reference[1] ?? '', named: false });
    // Only relative ones (`../x.md`, `./x.md`) or absolute ones: a bare `docs/x.md` may name a file of another
    // repository (research notes quote them), while `../shared/design.md` is the link this test exists to stop.
    for (const m of line.matchAll(/`((?:\.{1,2}\/|\/)[^`\s]+\.md)`/g))
      targets.push({ line: i + 1, target: m[1] ?? '', named: true });
  });
  return targets.filter(({ target }) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'));
}

/** What is wrong with the links of one document (path relative to `base`), as a reader would find it. */
function brokenLinks(document: string, text: string, base = root): BrokenLink[] {
  const problems: BrokenLink[] = [];
  for (const { line, target, named } of targetsOf(text)) {
    const file = decodeURIComponent(target.split('#')[0] ?? '');
    if (!file) continue;
    const candidates = [path.resolve(base, path.dirname(document), file)];
    // A backticked name may also be meant from the repository root, as prose often writes it.
    if (named) candidates.push(path.resolve(base, file.replace(/^\.\//, '')));
    const inside = candidates.filter((c) => c === base || c.startsWith(base + path.sep));
    if (inside.length === 0) {
      problems.push({ document, line, target, problem: 'points outside the repository' });
      continue;
    }
    if (!inside.some((c) => existsSync(c)))
      problems.push({ document, line, target, problem: 'names no file in the repository' });
  }
  return problems;
}

describe('links in the README and docs/', () => {
  it('every relative link leads to a file in the repository, none outside it', () => {
    const docs = documents();
    expect(docs).toContain(path.join('docs', 'design.md'));
    expect(docs).toContain(path.join('docs', 'zh-CN', 'README.md'));
    const problems = docs.flatMap((d) => brokenLinks(d, readFileSync(path.join(root, d), 'utf8')));
    expect(problems.map((p) => `${p.document}:${p.line} ${p.target}: ${p.problem}`)).toEqual([]);
  });

  it('the README links the design and the Chinese guides', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain('](docs/design.md)');
    expect(readme).toMatch(/\]\(docs\/zh-CN\/(README\.md)?\)/);
  });

  it('finds what a reader would trip on: links out of the repository, missing files, backticked documents', () => {
    const text = [
      'See [the design](../shared/design.md) and [ops](docs/nope.md#sizing).',
      '![chart](/etc/passwd) and `../shared/protocols/wecom.md`.',
      '[ref]: missing/file.md',
      '```',
      '[inside a code block](ignored.md)',
      '```',
      'Fine: [readme](README.md#layout), [web](https://example.com/x.md), [here](#top), `docs/elsewhere.md`.',
    ].join('\n');
    expect(brokenLinks('README.md', text).map((p) => [p.line, p.target, p.problem])).toEqual([
      [1, '../shared/design.md', 'points outside the repository'],
      [1, 'docs/nope.md#sizing', 'names no file in the repository'],
      [2, '/etc/passwd', 'points outside the repository'],
      [2, '../shared/protocols/wecom.md', 'points outside the repository'],
      [3, 'missing/file.md', 'names no file in the repository'],
    ]);
  });
});
