import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(full).isDirectory()
      ? sources(full)
      : full.endsWith('.ts') && !full.endsWith('.test.ts')
        ? [full]
        : [];
  });
}

/** The dashboard only queries metrics the code exports, so a renamed metric breaks the build, not the graphs. */
describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(path.join(root, 'deploy/grafana/answerbridge-dashboard.json'), 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  const code = [...sources(path.join(root, 'libs')), ...sources(path.join(root, 'apps'))]
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');

  it('has panels, each with a query', () => {
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    for (const p of dashboard.panels) expect(p.targets.length, p.title).toBeGreaterThan(0);
  });

  it('queries only metrics defined in the code', () => {
    const used = new Set(
      dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/answerbridge_[a-z_]+/g) ?? [])),
    );
    expect(used.size).toBeGreaterThanOrEqual(5);
    for (const metric of used) {
      const base = metric.replace(/_(bucket|count|sum)$/, '');
      expect(code.includes(`'${base}'`), `${metric} is not defined in libs/ or apps/`).toBe(true);
    }
  });
});
