import { runKb } from './cli';

process.exitCode = await runKb(process.argv.slice(2));
