/** `sample`: writes the built-in sample dataset (generated CARLA-like frames and labels) to disk. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSamplePair, sampleDatasetFiles, SAMPLE_DATASET_DEFAULTS, samplePairPaths, sampleSplitCounts } from '../../data/sample/sampleDataset';
import { CliError, errorMessage, numberOption, requiredString, UsageError, type CliIo, type Command, type ParsedValues } from '../framework';

export interface SampleSummary {
  out: string;
  train: number;
  val: number;
  width: number;
  height: number;
  seed: number;
  seconds: number;
}

export function runSample(values: ParsedValues, io: CliIo): SampleSummary {
  const out = requiredString(values, 'out');
  const d = SAMPLE_DATASET_DEFAULTS;
  const count = numberOption(values, 'count', d.count, { min: 1, max: 1_000_000, integer: true });
  const seed = numberOption(values, 'seed', d.seed, { min: 0, max: 2 ** 31 - 1, integer: true });
  const valFraction = numberOption(values, 'val-fraction', d.valFraction, { min: 0, max: 1 });
  const width = numberOption(values, 'width', d.width, { min: 16, max: 8192, integer: true });
  const height = numberOption(values, 'height', d.height, { min: 16, max: 8192, integer: true });
  if ((values.width === undefined) !== (values.height === undefined)) throw new UsageError('--width and --height go together');
  const split = sampleSplitCounts(count, valFraction);

  const started = performance.now();
  try {
    for (const s of ['train', 'val'] as const) {
      if (split[s] === 0) continue;
      mkdirSync(join(out, s, 'CameraRGB'), { recursive: true });
      mkdirSync(join(out, s, 'CameraSeg'), { recursive: true });
    }
  } catch (e) {
    throw new CliError(`cannot create ${out}: ${errorMessage(e)}`);
  }
  let written = 0;
  for (const file of sampleDatasetFiles(count, { seed, width, height, valFraction })) {
    const { rgbPng, labelPng } = encodeSamplePair(file);
    const paths = samplePairPaths(file);
    try {
      writeFileSync(join(out, paths.rgb), rgbPng);
      writeFileSync(join(out, paths.label), labelPng);
    } catch (e) {
      throw new CliError(`cannot write ${join(out, paths.rgb)}: ${errorMessage(e)}`);
    }
    written++;
    if (written % 10 === 0 || written === count) io.stderr(`[${written}/${count}] ${paths.rgb}\n`);
  }
  return { out, train: split.train, val: split.val, width, height, seed, seconds: (performance.now() - started) / 1000 };
}

export const sampleCommand: Command = {
  name: 'sample',
  summary: 'Write the built-in sample dataset: generated CARLA-like frames and labels in the challenge layout.',
  usage: '--out DIR [--count N] [--seed S] [--val-fraction F] [--width W --height H]',
  description:
    'Writes DIR/train/CameraRGB/N.png and DIR/train/CameraSeg/N.png (and the same under val/): street scenes\n' +
    'drawn procedurally in the style of the CARLA 0.8 camera, with labels holding the CARLA class id in red\n' +
    '(road 7, road lines 6, vehicles 10, the ego hood 10 in every frame, ...). The same seed gives the same\n' +
    'files. The last frames go to val. Frames come in groups of 8 that start with a short drive (1-4 near-\n' +
    'duplicate frames); the rest are independent scenes.',
  options: {
    out: { type: 'string', short: 'o', value: 'DIR', required: true, description: 'folder to write (created if missing; files of the same name are replaced)' },
    count: { type: 'string', short: 'n', value: 'N', description: `number of frame/label pairs (default ${SAMPLE_DATASET_DEFAULTS.count})` },
    seed: { type: 'string', value: 'S', description: `dataset seed, a whole number (default ${SAMPLE_DATASET_DEFAULTS.seed})` },
    'val-fraction': { type: 'string', value: 'F', description: `share of the pairs that go to val/ (default ${SAMPLE_DATASET_DEFAULTS.valFraction})` },
    width: { type: 'string', value: 'W', description: `frame width (default ${SAMPLE_DATASET_DEFAULTS.width}; give --height too)` },
    height: { type: 'string', value: 'H', description: `frame height (default ${SAMPLE_DATASET_DEFAULTS.height}; give --width too)` },
  },
  examples: ['sample --out /tmp/sample-data', 'sample --out /tmp/sample-small --count 12 --seed 7 --val-fraction 0.25 --width 400 --height 300'],
  async run(values, io) {
    const summary = runSample(values, io);
    io.stdout(
      `wrote ${summary.train} train + ${summary.val} val pairs (${summary.width}x${summary.height}, seed ${summary.seed}) to ${summary.out} in ${summary.seconds.toFixed(1)} s\n`,
    );
    return 0;
  },
};
