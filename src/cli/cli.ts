/** The command-line tool: dispatch, help, and how failures become messages and exit codes. */
import { convertCommand } from './commands/convert';
import { evalCommand } from './commands/eval';
import { infoCommand } from './commands/info';
import { predictCommand } from './commands/predict';
import { sampleCommand } from './commands/sample';
import { scoreCommand } from './commands/score';
import { trainCommand } from './commands/train';
import { commandHelp, errorMessage, parseCommandArgs, processIo, PROGRAM, UsageError, type CliIo, type Command } from './framework';

export const COMMANDS: readonly Command[] = [infoCommand, predictCommand, evalCommand, scoreCommand, convertCommand, sampleCommand, trainCommand];

export function toolHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'Segmentation Studio command line: LinkNet road and vehicle segmentation (Lyft Perception Challenge).',
    '',
    `Usage: ${PROGRAM} <command> [options]`,
    `       ${PROGRAM} <command> --help`,
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Exit codes: 0 done, 1 failed (a message says why), 2 wrong command line.',
    '',
    'Example:',
    `  ${PROGRAM} predict --model linknet34.safetensors --input frames/ --out masks/ --hood hood.png`,
    '',
  ].join('\n');
}

function usageFailure(io: CliIo, message: string, command?: string): number {
  io.stderr(`error: ${message}\n`);
  io.stderr(`Run "${PROGRAM} ${command ? `${command} ` : ''}--help" for usage.\n`);
  return 2;
}

/** Runs the tool with `argv` (without node and script); returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(toolHelp());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic ? COMMANDS.find((c) => c.name === topic) : undefined;
    if (topic && !command) return usageFailure(io, `unknown command "${topic}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    io.stdout(command ? commandHelp(command) : toolHelp());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const what = name.startsWith('-') ? `unknown option ${name} (give a command first)` : `unknown command "${name}"`;
    return usageFailure(io, `${what}; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
  }
  try {
    const values = parseCommandArgs(command, rest);
    if (values === null) {
      io.stdout(commandHelp(command));
      return 0;
    }
    return await command.run(values, io);
  } catch (e) {
    if (e instanceof UsageError) return usageFailure(io, e.message, command.name);
    io.stderr(`error: ${errorMessage(e)}\n`);
    if (process.env.SEGSTUDIO_DEBUG && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return 1;
  }
}
