/**
 * The CLI's plumbing: command descriptions, argument parsing with node:util parseArgs, help text,
 * and the two kinds of failure (usage: exit 2; anything else: exit 1).
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../util/errorMessage';

export const PROGRAM = 'npm run cli --';

/** Where a command writes (a process's streams, or a buffer in tests). */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Wrong command line: the message, then a pointer to --help; exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the user can act on (bad file, bad data): `error: <message>`, exit code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help after the option name, e.g. FILE. */
  value?: string;
  description: string;
  required?: boolean;
}

export type ParsedValues = Record<string, string | boolean | undefined>;

export interface Command {
  name: string;
  summary: string;
  /** The usage line after the program and command name. */
  usage: string;
  description?: string;
  options: Record<string, OptionSpec>;
  examples: string[];
  run(values: ParsedValues, io: CliIo): Promise<number>;
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/** Parses a command's arguments (no positionals); returns null when help was asked for. */
export function parseCommandArgs(command: Command, args: string[]): ParsedValues | null {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries({ ...command.options, help: HELP_OPTION })) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  let values: ParsedValues;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as ParsedValues;
  } catch (e) {
    throw new UsageError(describeParseError(e, command), command.name);
  }
  if (values.help) return null;
  for (const [name, spec] of Object.entries(command.options)) {
    if (spec.required && values[name] === undefined) throw new UsageError(`${command.name}: --${name} is required`, command.name);
  }
  return values;
}

function describeParseError(e: unknown, command: Command): string {
  const message = errorMessage(e);
  const code = (e as { code?: string }).code;
  const option = /'(?:-[^-' ,]+, )?(-{1,2}[^' ,]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `${command.name}: unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option && /argument missing/.test(message)
        ? `${command.name}: option ${option} needs a value`
        : `${command.name}: ${option ? `option ${option} takes no value` : message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /'([^']*)'/.exec(message)?.[1];
      return `${command.name}: unexpected argument ${arg !== undefined ? JSON.stringify(arg) : ''} (every input is given by an option)`.replace('  ', ' ');
    }
    default:
      return `${command.name}: ${message}`;
  }
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries({ ...options, help: HELP_OPTION }).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.description + (spec.required ? ' (required)' : '')] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`);
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: ${PROGRAM} ${command.name} ${command.usage}`, '', command.summary];
  if (command.description) lines.push('', command.description);
  lines.push('', 'Options:', ...optionLines(command.options));
  if (command.examples.length > 0) lines.push('', command.examples.length > 1 ? 'Examples:' : 'Example:', ...command.examples.map((e) => `  ${PROGRAM} ${e}`));
  return lines.join('\n') + '\n';
}

/** A number option: finite, within [min, max]. */
export function numberOption(values: ParsedValues, name: string, fallback: number, range: { min: number; max: number; integer?: boolean }): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(v) || v < range.min || v > range.max || (range.integer && !Number.isInteger(v))) {
    const what = range.integer ? 'a whole number' : 'a number';
    const bound = range.max === Infinity ? `>= ${range.min}` : `in [${range.min}, ${range.max}]`;
    throw new UsageError(`--${name} must be ${what} ${bound}, got ${JSON.stringify(raw)}`);
  }
  return v;
}

/** A string option restricted to a few values. */
export function choiceOption<T extends string>(values: ParsedValues, name: string, choices: readonly T[], fallback: T): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const match = choices.find((c) => c.toLowerCase() === String(raw).toLowerCase());
  if (!match) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  return match;
}

export function stringOption(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** For required options (parseCommandArgs has checked presence). */
export function requiredString(values: ParsedValues, name: string): string {
  const v = stringOption(values, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export { errorMessage };
