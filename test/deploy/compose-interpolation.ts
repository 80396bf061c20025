/**
 * Docker Compose's variable interpolation, small enough to read, so tests can render deploy/compose the
 * way `docker compose config` would without a Docker engine.
 *
 * Faithful to the Compose Specification (and compose-go, its reference implementation) where it matters:
 * - interpolation applies to scalar string VALUES of the parsed YAML (never keys, never comments), after
 *   YAML merge keys are resolved;
 * - `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`,
 *   `${VAR:+alt}`, `${VAR+alt}`, nested `${...}` inside the default/alt word, `$$` for a literal `$`;
 *   a `$` not followed by `$`, `{` or a name stays literal; a malformed `${...}` is an error;
 * - a string that ends up at a typed field (e.g. `deploy.replicas`) is cast the way compose-go's
 *   interpolateTypeCastMapping does (a subset of it: the fields a compose file usually interpolates), so
 *   `replicas: ${N}` becomes an integer and `N=two` fails as it does in Compose.
 * Not covered: `.env` values referring to other variables, and the environment of the calling shell
 * (tests pass the whole environment explicitly).
 */

export class InterpolationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InterpolationError';
  }
}

type Operator = ':-' | '-' | ':?' | '?' | ':+' | '+';
type Token = { kind: 'text'; text: string } | { kind: 'variable'; name: string; operator?: Operator; word: Token[] };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATORS: Operator[] = [':-', ':?', ':+', '-', '?', '+'];

/** Splits a template into literal text and variable references (default/alt words parsed recursively). */
function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c !== '$') {
      text += c;
      i += 1;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      text += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(template, i + 2);
      if (end < 0) throw new InterpolationError(`invalid interpolation format for "${template}": unclosed \${`);
      const body = template.slice(i + 2, end);
      const name = NAME.exec(body)?.[0];
      if (!name)
        throw new InterpolationError(
          `invalid interpolation format for "${template}": "\${${body}}" has no variable name`,
        );
      const rest = body.slice(name.length);
      const operator = OPERATORS.find((op) => rest.startsWith(op));
      if (rest !== '' && !operator)
        throw new InterpolationError(`invalid interpolation format for "${template}": "\${${body}}"`);
      if (text) tokens.push({ kind: 'text', text });
      text = '';
      tokens.push({
        kind: 'variable',
        name,
        ...(operator ? { operator } : {}),
        word: operator ? tokenize(rest.slice(operator.length)) : [],
      });
      i = end + 1;
      continue;
    }
    const name = NAME.exec(template.slice(i + 1))?.[0];
    if (!name) {
      text += '$';
      i += 1;
      continue;
    }
    if (text) tokens.push({ kind: 'text', text });
    text = '';
    tokens.push({ kind: 'variable', name, word: [] });
    i += 1 + name.length;
  }
  if (text) tokens.push({ kind: 'text', text });
  return tokens;
}

/** Index of the `}` closing a `${` whose body starts at `from`, skipping nested `${...}` and `$$`. */
function closingBrace(template: string, from: number): number {
  let depth = 0;
  for (let i = from; i < template.length; i++) {
    if (template[i] === '$' && template[i + 1] === '$') i += 1;
    else if (template[i] === '$' && template[i + 1] === '{') {
      depth += 1;
      i += 1;
    } else if (template[i] === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  return -1;
}

function evaluate(tokens: Token[], env: Readonly<Record<string, string>>): string {
  return tokens
    .map((token) => {
      if (token.kind === 'text') return token.text;
      const value = env[token.name];
      const set = value !== undefined;
      const nonEmpty = set && value !== '';
      const word = () => evaluate(token.word, env);
      switch (token.operator) {
        case undefined:
          return value ?? '';
        case ':-':
          return nonEmpty ? value : word();
        case '-':
          return set ? value : word();
        case ':?':
          if (!nonEmpty) throw new InterpolationError(`required variable ${token.name} is missing a value: ${word()}`);
          return value;
        case '?':
          if (!set) throw new InterpolationError(`required variable ${token.name} is missing a value: ${word()}`);
          return value;
        case ':+':
          return nonEmpty ? word() : '';
        case '+':
          return set ? word() : '';
      }
    })
    .join('');
}

function collectNames(tokens: Token[], into: Set<string>): void {
  for (const token of tokens) {
    if (token.kind === 'variable') {
      into.add(token.name);
      collectNames(token.word, into);
    }
  }
}

/** Interpolates one string; `referenced` collects every variable it mentions, used or not. */
export function interpolateString(
  template: string,
  env: Readonly<Record<string, string>>,
  referenced?: Set<string>,
): string {
  const tokens = tokenize(template);
  if (referenced) collectNames(tokens, referenced);
  return evaluate(tokens, env);
}

type Cast = (value: string, path: string) => unknown;

const toInt: Cast = (value, path) => {
  if (!/^[+-]?\d+$/.test(value.trim())) throw new InterpolationError(`${path}: cannot cast "${value}" to an integer`);
  return Number(value);
};
const toFloat: Cast = (value, path) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new InterpolationError(`${path}: cannot cast "${value}" to a number`);
  return n;
};
const toBoolean: Cast = (value, path) => {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'y', 'on'].includes(v)) return true;
  if (['false', 'no', 'n', 'off'].includes(v)) return false;
  throw new InterpolationError(`${path}: cannot cast "${value}" to a boolean`);
};

/** Typed fields (`*` = any key or list index), after compose-go's interpolateTypeCastMapping. */
const CASTS: [string[], Cast][] = [
  [['services', '*', 'deploy', 'replicas'], toInt],
  [['services', '*', 'scale'], toInt],
  [['services', '*', 'healthcheck', 'retries'], toInt],
  [['services', '*', 'healthcheck', 'disable'], toBoolean],
  [['services', '*', 'cpus'], toFloat],
  [['services', '*', 'ulimits', '*'], toInt],
  [['services', '*', 'ulimits', '*', 'soft'], toInt],
  [['services', '*', 'ulimits', '*', 'hard'], toInt],
  [['services', '*', 'ports', '*', 'target'], toInt],
  [['services', '*', 'volumes', '*', 'read_only'], toBoolean],
  [['services', '*', 'read_only'], toBoolean],
  [['services', '*', 'privileged'], toBoolean],
  [['services', '*', 'init'], toBoolean],
  [['services', '*', 'tty'], toBoolean],
  [['services', '*', 'stdin_open'], toBoolean],
  [['services', '*', 'oom_kill_disable'], toBoolean],
  [['networks', '*', 'internal'], toBoolean],
  [['networks', '*', 'external'], toBoolean],
  [['volumes', '*', 'external'], toBoolean],
  [['secrets', '*', 'external'], toBoolean],
];

function castFor(path: string[]): Cast | undefined {
  return CASTS.find(
    ([pattern]) => pattern.length === path.length && pattern.every((p, i) => p === '*' || p === path[i]),
  )?.[1];
}

/**
 * Interpolates every string value of a parsed compose document (returns a new tree; the input, whose
 * YAML aliases may share objects, is not touched) and casts typed fields. `variables` lists every name
 * the document refers to.
 */
export function renderCompose(
  document: unknown,
  env: Readonly<Record<string, string>>,
): { rendered: unknown; variables: Set<string> } {
  const variables = new Set<string>();
  const walk = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'string') {
      const value = interpolateString(node, env, variables);
      const cast = castFor(path);
      return cast ? cast(value, path.join('.')) : value;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, String(i)]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value, [...path, key])]));
    }
    return node;
  };
  return { rendered: walk(document, []), variables };
}

/**
 * Reads a `.env` file the way Compose does for the lines a settings file uses: `KEY=value` (optionally
 * `export KEY=value`), blank and `#` lines ignored (so commented-out settings stay unset), single quotes
 * literal, double quotes with \n escapes, unquoted values ending at ` #`.
 */
export function parseDotenv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    const [, key = '', raw = ''] = match;
    let value = raw.trim();
    if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) value = value.slice(1, -1);
    else if (value.startsWith('"') && value.endsWith('"') && value.length >= 2)
      value = value.slice(1, -1).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    else value = value.replace(/\s+#.*$/, '');
    env[key] = value;
  }
  return env;
}

/** Service attributes whose sequences an override replaces instead of appending to (the spec's "shell commands"). */
const REPLACED = new Set(['services.*.command', 'services.*.entrypoint', 'services.*.healthcheck.test']);
/** Service attributes whose entries are unique by a key (the spec's "unique resources"): a later one replaces. */
const UNIQUE_BY: Record<string, (item: unknown) => string> = {
  'services.*.volumes': (v) =>
    typeof v === 'string' ? (v.split(':')[1] ?? v) : String((v as { target?: unknown }).target),
  'services.*.secrets': (v) => (typeof v === 'string' ? v : String((v as { source?: unknown }).source)),
  'services.*.configs': (v) => (typeof v === 'string' ? v : String((v as { source?: unknown }).source)),
  'services.*.ports': (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
};

/**
 * Merges rendered compose documents as `docker compose -f a.yaml -f b.yaml` does (the Compose Specification's
 * merge rules): mappings merge key by key, a later scalar wins, sequences append, except `command`,
 * `entrypoint` and `healthcheck.test` (replaced) and ports/volumes/secrets/configs (unique by their key).
 */
export function mergeCompose(base: unknown, ...overrides: unknown[]): unknown {
  const merge = (a: unknown, b: unknown, path: string[]): unknown => {
    const rule = path.map((p, i) => (i === 1 && path[0] === 'services' ? '*' : p)).join('.');
    if (Array.isArray(a) && Array.isArray(b)) {
      if (REPLACED.has(rule)) return b;
      const key = UNIQUE_BY[rule];
      if (!key) return [...a, ...b];
      const byKey = new Map<string, unknown>();
      for (const item of [...a, ...b]) byKey.set(key(item), item);
      return [...byKey.values()];
    }
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v, [...path, k]) : v;
      return out;
    }
    return b === undefined ? a : b;
  };
  return overrides.reduce((acc, o) => merge(acc, o, []), base);
}
