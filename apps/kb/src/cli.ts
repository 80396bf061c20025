import { parseArgs } from 'node:util';
import { loadConfig } from '@answerbridge/config';
import { ingestCommand, searchCommand, versionsCommand, UsageError } from './kb-commands';

const usage = `kb — manage a bot's FAQ knowledge base

  kb ingest <file> --bot <id>        load an FAQ file (.txt Q:/A:, .csv, .md, .jsonl) as a new version
  kb search <bot> "<question>" [-n 5] show the best matches with their scores
  kb versions <bot>                   list the knowledge base's versions

Settings come from the environment (see README): MILVUS_ADDRESS, EMBEDDING_BASE_URL, BOTS_FILE, …`;

/** Runs one kb command; returns the process exit code. Output goes to the given writers (tests capture it). */
export async function runKb(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { bot: { type: 'string' }, n: { type: 'string', short: 'n' }, help: { type: 'boolean', short: 'h' }, quiet: { type: 'boolean', short: 'q' } },
    });
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      out(usage);
      return values.help ? 0 : 2;
    }
    const config = loadConfig();
    switch (command) {
      case 'ingest': {
        const [file] = rest;
        if (!file || !values.bot) throw new UsageError('usage: kb ingest <file> --bot <id>');
        const result = await ingestCommand(config, file, values.bot, !values.quiet && process.stderr.isTTY);
        out(
          `ingested ${result.entries} entries (${result.questions} questions) into ${result.version.collection}; now active` +
            (result.dropped.length ? `; dropped old versions ${result.dropped.join(', ')}` : ''),
        );
        return 0;
      }
      case 'search': {
        const [bot, question] = rest;
        if (!bot || !question) throw new UsageError('usage: kb search <bot> "<question>"');
        const limit = Number(values.n ?? 5);
        if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new UsageError('-n must be an integer from 1 to 50');
        const { candidates, threshold } = await searchCommand(config, bot, question, limit);
        out(`answer threshold ${threshold.toFixed(3)}`);
        candidates.forEach((c, i) =>
          out(`${i + 1}. ${c.score.toFixed(4)} ${c.score >= threshold ? '✔' : ' '} ${c.question}${c.matchedQuestion !== c.question ? `  (matched: ${c.matchedQuestion})` : ''}\n   ${c.answer.split('\n')[0]?.slice(0, 100)}`),
        );
        if (candidates.length === 0) out('no matches');
        return 0;
      }
      case 'versions': {
        const [bot] = rest;
        if (!bot) throw new UsageError('usage: kb versions <bot>');
        for (const v of await versionsCommand(config, bot)) out(`${v.active ? '*' : ' '} v${v.version}  ${v.collection}  ${v.createdAt}  ${v.profile}`);
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
