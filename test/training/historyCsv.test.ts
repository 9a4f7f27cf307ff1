import { describe, expect, it } from 'vitest';
import { runFileStem, stepsCsv, validationsCsv, type StepColumns, type ValidationRow } from '../../src/training/historyCsv';

const CLASSES = ['background', 'road', 'vehicle'];

/** Splits CSV text (no quoted line breaks) into rows of cells, undoing the quoting. */
function parse(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\r\n')
    .map((line) => {
      const cells: string[] = [];
      const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
      for (let m = re.exec(line); m; m = re.exec(line)) {
        const raw = m[1]!;
        cells.push(raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw);
        if (m[2] === '') break;
      }
      return cells;
    });
}

function history(overrides: Partial<StepColumns> = {}): StepColumns {
  return {
    steps: [1, 2, 3],
    loss: [0.9, 0.1 + 0.2, 0.25],
    terms: [
      [0.5, 0.4, 0.3],
      [0.6, 0.5, 0.4],
      [0.99, 0.98, 1e-7],
    ],
    bce: [NaN, NaN, NaN],
    learningRate: [1e-4, 1e-4, 5e-5],
    msPerStep: [812.5, 640, 655.25],
    ...overrides,
  };
}

describe('stepsCsv', () => {
  it('writes a header and one row per step, numbers at full precision', () => {
    const rows = parse(stepsCsv(history(), CLASSES));
    expect(rows[0]).toEqual(['step', 'loss', 'loss_background', 'loss_road', 'loss_vehicle', 'learning_rate', 'ms_per_step']);
    expect(rows).toHaveLength(4);
    expect(rows[2]).toEqual(['2', '0.30000000000000004', '0.4', '0.5', '0.98', '0.0001', '640']);
    expect(Number(rows[3]![4])).toBe(1e-7);
    expect(Number(rows[3]![5])).toBe(5e-5);
  });

  it('adds the BCE column only when a step reported one; missing values are empty cells', () => {
    const rows = parse(stepsCsv(history({ bce: [NaN, 0.7, 0.6], terms: [[NaN, 0.4, 0.3]] }), CLASSES));
    expect(rows[0]).toEqual(['step', 'loss', 'loss_background', 'bce', 'learning_rate', 'ms_per_step']);
    expect(rows[1]).toEqual(['1', '0.9', '', '', '0.0001', '812.5']);
    expect(rows[2]![3]).toBe('0.7');
  });

  it('names classes beyond the scheme by index, and quotes names that need it', () => {
    const rows = parse(stepsCsv(history(), ['back, ground', '  ']));
    expect(rows[0]!.slice(2, 5)).toEqual(['loss_back, ground', 'loss_class_1', 'loss_class_2']);
    expect(stepsCsv(history(), ['back, ground']).split('\r\n')[0]).toContain('"loss_back, ground"');
  });

  it('an empty history is a header only', () => {
    expect(stepsCsv({ steps: [], loss: [], terms: [], bce: [], learningRate: [], msPerStep: [] }, CLASSES)).toBe('step,loss,learning_rate,ms_per_step\r\n');
  });
});

describe('validationsCsv', () => {
  const v = (step: number, score: number, classes = 3): ValidationRow => ({
    step,
    epoch: Math.floor(step / 10),
    score,
    fRoad: score + 0.1,
    fCar: score - 0.1,
    precision: Array.from({ length: classes }, (_, c) => 0.5 + c / 10),
    recall: Array.from({ length: classes }, (_, c) => 0.4 + c / 10),
  });

  it('writes one row per validation with precision and recall per class', () => {
    const second = v(20, 0.625);
    const rows = parse(validationsCsv([v(10, 0.5), second], CLASSES));
    expect(rows[0]).toEqual([
      'step', 'epoch', 'score', 'f_road', 'f_vehicle',
      'precision_background', 'precision_road', 'precision_vehicle',
      'recall_background', 'recall_road', 'recall_vehicle',
    ]);
    const { step, epoch, score, fRoad, fCar, precision, recall } = second;
    expect(rows[2]).toEqual([step, epoch, score, fRoad, fCar, ...precision, ...recall].map(String));
    expect(rows[2]!.slice(0, 3)).toEqual(['20', '2', '0.625']);
  });

  it('takes the widest class count and leaves missing classes empty', () => {
    const rows = parse(validationsCsv([v(10, 0.5, 2), v(20, 0.5, 3)], CLASSES));
    expect(rows[0]).toHaveLength(11);
    expect(rows[1]![7]).toBe('');
    expect(Number(rows[2]![7])).toBeCloseTo(0.7, 12);
  });

  it('no validation yet is the header without class columns', () => {
    expect(validationsCsv([], CLASSES)).toBe('step,epoch,score,f_road,f_vehicle\r\n');
  });
});

describe('runFileStem', () => {
  it('keeps letters, digits, dots, dashes and underscores', () => {
    expect(runFileStem('e2e run')).toBe('e2e-run');
    expect(runFileStem(' linknet34 / lr 1e-4 ')).toBe('linknet34-lr-1e-4');
    expect(runFileStem('  ')).toBe('training-run');
    expect(runFileStem('///')).toBe('training-run');
  });
});
