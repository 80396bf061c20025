import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** The channels' names: those of the registry, and those being plugged in next (issue 13). */
const CHANNEL_NAMES = ['wecom', 'dingtalk', 'wecom-aibot', 'wecom-kf'];
const REGISTRY = 'libs/pipeline/src/wiring/channel-registry.ts';

/** Every string literal and template part of a source whose whole text is a channel's name, by line. */
export function channelLiterals(
  fileName: string,
  text: string,
  names: readonly string[] = CHANNEL_NAMES,
): { line: number; name: string }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: { line: number; name: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) &&
      names.includes((node as ts.LiteralLikeNode).text)
    )
      found.push({
        line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
        name: (node as ts.LiteralLikeNode).text,
      });
    node.forEachChild(visit);
  };
  visit(source);
  return found;
}

/** Where a channel's name may be written: the registry, the channel's own lib, the simulators (one per channel). */
export function mayName(file: string, name: string): boolean {
  const posix = file.split(path.sep).join('/');
  return posix === REGISTRY || posix.startsWith(`libs/channels/${name}/`) || posix.startsWith('apps/simulator/');
}

/** The production sources of libs/ and apps/: TypeScript and the pages' JavaScript, without tests. */
function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist'].includes(entry.name) ? [] : sources(relative);
    return /\.(ts|js|mjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [relative] : [];
  });
}

function offences(files: { file: string; text: string }[]): string[] {
  return files.flatMap(({ file, text }) =>
    channelLiterals(file, text)
      .filter(({ name }) => !mayName(file, name))
      .map(({ line, name }) => `${file}:${line}: '${name}'`),
  );
}

/**
 * Adding a channel is its lib, one line in the registry and its simulator: a channel's name written anywhere
 * else (a switch on it, a list of them, a label) is a place the next channel would have to be added by hand.
 */
describe('the channel registry is the only place that names channels', () => {
  const files = [...sources('libs'), ...sources('apps')].map((file) => ({
    file,
    text: readFileSync(path.join(root, file), 'utf8'),
  }));

  it('finds the sources, the registry among them', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.map((f) => f.file.split(path.sep).join('/'))).toContain(REGISTRY);
  });

  it('finds no channel name outside the registry, the channel libs and the simulator', () => {
    expect(offences(files)).toEqual([]);
  });

  it('the scanner finds a name in strings, templates, keys and literal types, and not in comments or longer strings', () => {
    const sample = [
      "// 'wecom' in a comment is fine, and so is /wecom/:botId/callback",
      "const a = bot.channel === 'dingtalk';",
      'const b = `wecom-kf`;',
      "const c = { 'wecom-aibot': '微信' };",
      "type D = { channel: 'wecom' };",
      "const e = '/wecom/:botId/callback' + 'wecomx';",
    ].join('\n');
    expect(channelLiterals('libs/console/src/sample.ts', sample)).toEqual([
      { line: 2, name: 'dingtalk' },
      { line: 3, name: 'wecom-kf' },
      { line: 4, name: 'wecom-aibot' },
      { line: 5, name: 'wecom' },
    ]);
  });

  it('fails, naming file and line, when a literal is added outside the allowed places', () => {
    const added = [
      ...files,
      {
        file: 'apps/console/src/probe.ts',
        text: "export const x = 1;\nexport const isDing = (c: string) => c === 'dingtalk';\n",
      },
      {
        file: 'libs/channels/wecom-kf/src/probe.ts',
        text: "export const other = 'wecom';\nexport const own = 'wecom-kf';\n",
      },
    ];
    expect(offences(added)).toEqual([
      "apps/console/src/probe.ts:2: 'dingtalk'",
      "libs/channels/wecom-kf/src/probe.ts:1: 'wecom'",
    ]);
    expect(mayName(REGISTRY, 'wecom')).toBe(true);
    expect(mayName('apps/simulator/src/wecom-server.ts', 'dingtalk')).toBe(true);
  });
});
