/** Entry point: `npm run cli -- <command> [options]` (tsx src/cli/main.ts). */
import { runCli } from './cli';

// Output piped into a program that stops reading early (e.g. `| head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
