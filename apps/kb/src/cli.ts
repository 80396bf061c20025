import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAppConfig } from '@answerbridge/config';
import { createKnowledgeServices } from '@answerbridge/pipeline';
import { evalCommand, formatEvaluation } from './eval-command';
import {
  calibrateCommand,
  calibrateFromUseCommand,
  diffCommand,
  formatCalibration,
  formatDiff,
  ingestCommand,
  reindexCommand,
  formatImportPlan,
  rollbackCommand,
  searchCommand,
  versionsCommand,
  UsageError,
} from './kb-commands';

const usage = `kb — manage a bot's FAQ knowledge base

  kb ingest <file> --bot <id>        load an FAQ file (.xlsx, .csv in UTF-8 or GBK, .docx, .md, .jsonl,
                                     .txt Q:/A:) into a new version: entries are updated by id or question
                                     and added; none is removed unless you say --replace (the file becomes
                                     the whole FAQ) or --append (only new entries are added). The entries
                                     agents saved and the phrasings learned from use are kept
                                     (--without-saved --replace: the file alone). --dry-run: say what would change.
                                     The entries and who published them (the OS user, or --by <name>) are kept
                                     in PostgreSQL (DATABASE_URL); the search index is built from them
  kb search <bot> "<question>" [-n 5] show the best matches with their scores
  kb versions <bot>                   list the knowledge base's versions
  kb diff <bot> [--from N] [--to N]   what changed between two versions (default: previous → active)
  kb reindex <bot>                    rebuild the search index from the entries PostgreSQL records (after Milvus
                                     lost its data, or for another embedding model); recorded in the history
  kb rollback <bot> [--to N]          make an earlier version active again (default: the previous one); its
                                     entries become the recorded ones (--by <name>: who, default the OS user)
  kb calibrate <bot> <queries.jsonl> [--target-precision 0.97] [--json]
                                     fit a confidence model on labelled questions as the bot searches them,
                                     and record it with the active version (the worker then decides with it)
  kb calibrate <bot> --from-use [--target-precision 0.97] [--force] [--json]
                                     the same, fitted on the askers' wordings the bot learned from use; kept
                                     only if the model in use does worse on them (--force: record it anyway)
  kb eval <faq> <queries.jsonl>       measure retrieval and the answer policy on labelled queries
      [--bot <id>: as that bot runs: its language, search mode and calibration]
      [--mode dense,keyword,hybrid] [--language zh|en (default: the FAQ's)] [--calibrate] [--target-precision 0.97]
      [--errors file.jsonl (default: a new file in the temp dir)] [--per-query file.jsonl: every query's decision]
      [--keep-index: keep the temporary index for a repeated run] [--json]

Settings come from the environment (see README): DATABASE_URL, MILVUS_ADDRESS, EMBEDDING_BASE_URL, BOTS_FILE, …`;

/** Where a kb run writes and which settings it reads: the process's by default; tests pass their own. */
export interface KbIo {
  out?: (s: string) => void;
  err?: (s: string) => void;
  /** The environment the settings come from (default: process.env). */
  env?: Record<string, string | undefined>;
}

/** Runs one kb command; returns the process exit code. */
export async function runKb(argv: string[], io: KbIo = {}): Promise<number> {
  const out = io.out ?? console.log;
  const err = io.err ?? console.error;
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        bot: { type: 'string' },
        n: { type: 'string', short: 'n' },
        help: { type: 'boolean', short: 'h' },
        quiet: { type: 'boolean', short: 'q' },
        mode: { type: 'string' },
        calibrate: { type: 'boolean' },
        'target-precision': { type: 'string' },
        errors: { type: 'string' },
        'per-query': { type: 'string' },
        'keep-index': { type: 'boolean' },
        'from-use': { type: 'boolean' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
        from: { type: 'string' },
        language: { type: 'string' },
        'without-saved': { type: 'boolean' },
        replace: { type: 'boolean' },
        append: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        by: { type: 'string' },
        to: { type: 'string' },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      out(usage);
      return values.help ? 0 : 2;
    }
    const config = loadAppConfig('kb', {}, io.env);
    switch (command) {
      case 'ingest': {
        const [file] = rest;
        if (!file || !values.bot) throw new UsageError('usage: kb ingest <file> --bot <id> [--replace | --append]');
        if (values.replace && values.append) throw new UsageError('--replace and --append exclude each other');
        const result = await ingestCommand(config, file, values.bot, {
          showProgress: !values.quiet && process.stderr.isTTY,
          withSaved: !values['without-saved'],
          mode: values.replace ? 'replace' : values.append ? 'append' : 'upsert',
          dryRun: Boolean(values['dry-run']),
          ...(values.by ? { by: values.by } : {}),
        });
        out(formatImportPlan(result.plan));
        if (result.fromIndex)
          out(
            `the database had no entries of this knowledge base yet: the ${result.fromIndex} of the active index version were the starting point`,
          );
        if (!result.result) {
          out('dry run: nothing was changed');
          return 0;
        }
        out(
          `ingested ${result.result.entries} entries (${result.result.questions} questions) into ${result.result.version.collection}; now active` +
            (result.saved ? `; including ${result.saved} saved by agents` : '') +
            (result.learned ? `; ${result.learned} phrasings learned from use` : '') +
            (result.learnedWithoutEntry
              ? `; ${result.learnedWithoutEntry} learned phrasings dropped (their entries were removed)`
              : '') +
            (result.result.dropped.length ? `; dropped old versions ${result.result.dropped.join(', ')}` : ''),
        );
        return 0;
      }
      case 'search': {
        const [bot, question] = rest;
        if (!bot || !question) throw new UsageError('usage: kb search <bot> "<question>"');
        const limit = Number(values.n ?? 5);
        if (!Number.isInteger(limit) || limit < 1 || limit > 50)
          throw new UsageError('-n must be an integer from 1 to 50');
        const { candidates, verdict } = await searchCommand(config, bot, question, limit);
        out(verdict);
        candidates.forEach((c, i) => {
          const mark = i > 0 ? ' ' : verdict.startsWith('answer') ? '✔' : verdict.startsWith('suggest') ? '?' : ' ';
          const parts = [
            `confidence ${c.confidence.toFixed(4)}`,
            c.dense === null ? null : `dense ${c.dense.toFixed(4)}`,
            c.keyword === null ? null : `bm25 ${c.keyword.toFixed(2)}`,
          ];
          out(
            `${i + 1}. ${mark} ${c.question}${c.matchedQuestion !== c.question ? `  (matched: ${c.matchedQuestion})` : ''}\n   ${parts.filter(Boolean).join(', ')}\n   ${c.answer.split('\n')[0]?.slice(0, 100)}`,
          );
        });
        if (candidates.length === 0) out('no matches');
        return 0;
      }
      case 'versions': {
        const [bot] = rest;
        if (!bot) throw new UsageError('usage: kb versions <bot>');
        for (const v of await versionsCommand(config, bot))
          out(
            `${v.active ? '*' : ' '} v${v.version}  ${v.collection}  ${v.createdAt}  ${v.profile}${v.calibrated ? '  calibrated' : ''}`,
          );
        return 0;
      }
      case 'calibrate': {
        const [bot, queriesFile] = rest;
        if (!bot || (!queriesFile && !values['from-use']) || (queriesFile && values['from-use']))
          throw new UsageError(
            'usage: kb calibrate <bot> <queries.jsonl> [--target-precision 0.97], or kb calibrate <bot> --from-use',
          );
        const targetPrecision = Number(values['target-precision'] ?? 0.97);
        if (!(targetPrecision > 0 && targetPrecision < 1))
          throw new UsageError('--target-precision must be between 0 and 1');
        const result = queriesFile
          ? await calibrateCommand(config, bot, queriesFile, targetPrecision)
          : await calibrateFromUseCommand(config, bot, targetPrecision, values.force === true);
        if (values.json) out(JSON.stringify(result, null, 2));
        else out(formatCalibration(result));
        return 0;
      }
      case 'reindex': {
        const [bot] = rest;
        if (!bot) throw new UsageError('usage: kb reindex <bot>');
        const rebuilt = await reindexCommand(config, bot, {
          showProgress: !values.quiet && process.stderr.isTTY,
          ...(values.by ? { by: values.by } : {}),
        });
        const version = rebuilt.published.result.version;
        out(
          `rebuilt ${bot} from the ${rebuilt.entries} recorded entries: v${version.version} (${version.collection}) is active`,
        );
        return 0;
      }
      case 'diff':
      case 'rollback': {
        const [bot] = rest;
        if (!bot) throw new UsageError(`usage: kb ${command} <bot>`);
        const version = (v: string | undefined, flag: string) => {
          if (v === undefined) return undefined;
          const n = Number(v.replace(/^v/, ''));
          if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a version number such as 3 or v3`);
          return n;
        };
        if (command === 'diff')
          out(formatDiff(await diffCommand(config, bot, version(values.from, '--from'), version(values.to, '--to'))));
        else {
          const { from, to } = await rollbackCommand(config, bot, version(values.to, '--to'), values.by);
          out(`rolled back ${bot}: v${from.version} → v${to.version} (${to.collection} is active)`);
        }
        return 0;
      }
      case 'eval': {
        const [faqFile, queriesFile] = rest;
        if (!faqFile || !queriesFile) throw new UsageError('usage: kb eval <faq> <queries.jsonl>');
        const bot = values.bot ? config.bots.find((b) => b.id === values.bot) : undefined;
        if (values.bot && !bot)
          throw new UsageError(
            `no bot "${values.bot}" in BOTS_FILE (bots: ${config.bots.map((b) => b.id).join(', ')})`,
          );
        if (bot?.language && values.language && values.language !== bot.language)
          throw new UsageError(
            `--language ${values.language} contradicts bot ${bot.id}, whose language is ${bot.language}`,
          );
        const services = bot ? createKnowledgeServices(config) : null;
        // The mode the bot searches with (the same for both languages today, measured per language).
        const botMode = bot ? services?.searchFor(bot.language ?? 'zh').mode : undefined;
        await services?.store.close();
        const modes = (values.mode ?? botMode ?? 'dense,keyword,hybrid').split(',').map((m) => m.trim());
        for (const m of modes)
          if (!['dense', 'keyword', 'hybrid'].includes(m))
            throw new UsageError(`--mode: "${m}" is not dense, keyword or hybrid`);
        const targetPrecision = Number(values['target-precision'] ?? 0.97);
        if (!(targetPrecision > 0 && targetPrecision <= 1))
          throw new UsageError('--target-precision must be in (0, 1]');
        // Not into the working directory (often the repository): a file of its own in the system's temp dir.
        const errorsFile = values.errors ?? path.join(tmpdir(), `kb-eval-errors-${Date.now()}.jsonl`);
        // Without a bot or --language, the FAQ's own language (kb eval reads it from the entries).
        const language = bot?.language ?? values.language;
        if (language !== undefined && language !== 'zh' && language !== 'en')
          throw new UsageError('--language must be zh or en');
        const evaluation = await evalCommand(config, faqFile, queriesFile, {
          modes: modes as ('dense' | 'keyword' | 'hybrid')[],
          ...(values.calibrate ? { calibrateFor: targetPrecision } : {}),
          errorsFile,
          ...(language ? { language } : {}),
          ...(bot ? { knowledgeBase: bot.knowledgeBase ?? bot.id } : {}),
          ...(values['per-query'] ? { perQueryFile: values['per-query'] } : {}),
          ...(values['keep-index'] ? { keepIndex: true } : {}),
          showProgress: !values.quiet && !values.json && process.stderr.isTTY,
        });
        if (values.json)
          out(JSON.stringify({ ...evaluation, modes: evaluation.modes.map(({ outcomes: _o, ...m }) => m) }, null, 2));
        else {
          out(formatEvaluation(evaluation, evaluation.confidence));
          out(`\nper-query errors: ${errorsFile}`);
          if (values['per-query']) out(`every query's decision: ${values['per-query']}`);
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"\n\n${usage}`);
    }
  } catch (error) {
    err(`kb: ${(error as Error).message}`);
    return error instanceof UsageError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1;
  }
}
