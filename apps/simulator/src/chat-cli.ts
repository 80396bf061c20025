/**
 * npm run chat: talk to the bot as a WeCom user from a terminal, through the running simulator.
 * Usage: npm run chat -- [--user zhangsan] [--bot demo] [--simulator http://127.0.0.1:3100]
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';

const usage = `npm run chat -- [--user zhangsan] [--bot demo] [--simulator http://127.0.0.1:3100]

以企业微信用户的身份在终端里和机器人对话（需要先运行 npm run dev）。
Talk to the bot as a WeCom user from a terminal (npm run dev must be running).
  --user       the WeCom user id you speak as (default zhangsan)
  --bot        the bot id from the bots file (default demo)
  --simulator  the simulator's address (default http://127.0.0.1:3100)`;

function parse() {
  try {
    return parseArgs({
      options: {
        user: { type: 'string', default: 'zhangsan' },
        bot: { type: 'string', default: 'demo' },
        simulator: { type: 'string', default: 'http://127.0.0.1:3100' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
}
const values = parse();
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const base = values.simulator;
const user = values.user;

async function listen() {
  const res = await fetch(`${base}/api/events`);
  if (!res.body) throw new Error('no event stream');
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split('\n').find((l) => l.startsWith('data: '));
      if (!data) continue;
      const m = JSON.parse(data.slice(6)) as { toUser: string; content: string; finished?: boolean };
      // A streamed reply (the AI bot's) is printed once, finished, not every snapshot.
      if (m.toUser === user && m.finished !== false) console.log(`\n🤖 ${m.content}\n`);
    }
  }
}

listen().catch((error: Error) => {
  console.error(`cannot reach the simulator at ${base}: ${error.message} (is npm run dev running?)`);
  process.exit(1);
});
const rl = createInterface({ input: process.stdin, output: process.stdout });
console.log(`chatting with bot "${values.bot}" as ${user}; empty line or Ctrl-D quits`);
for (;;) {
  const line = (await rl.question('> ').catch(() => '')).trim();
  if (!line) break;
  const res = await fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ botId: values.bot, from: user, text: line }),
  });
  if (!res.ok) console.error(`simulator: ${res.status} ${await res.text()}`);
}
rl.close();
process.exit(0);
