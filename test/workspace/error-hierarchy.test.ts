import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** The production sources: libs and apps, without tests, the simulator and the test-services lib. */
function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'simulator', 'testing'].includes(entry.name) ? [] : sources(relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [relative] : [];
  });
}

/**
 * Every error the code raises on purpose is an AnswerbridgeError (libs/core), with a stable code and
 * whether another attempt can help: the worker's retries and the HTTP answers depend on it.
 */
describe('one error hierarchy', () => {
  const files = [...sources('libs'), ...sources('apps')];

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('has no error class outside AnswerbridgeError and raises no plain Error', () => {
    const offences = files.flatMap((file) =>
      readFileSync(path.join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          /\bextends Error\b/.test(line) && !file.endsWith('libs/core/src/errors.ts')
            ? [`${file}:${i + 1}: ${line.trim()}`]
            : /\bnew Error\(/.test(line)
              ? [`${file}:${i + 1}: ${line.trim()}`]
              : [],
        ),
    );
    expect(offences).toEqual([]);
  });
});
