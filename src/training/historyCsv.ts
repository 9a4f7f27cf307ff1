/**
 * A run's curves as CSV (RFC 4180, comma-separated, a header row), for a spreadsheet or pandas: one
 * row per training step, and one per validation. Numbers keep their full precision; a value the
 * run did not report (NaN) is an empty cell.
 */
import type { DownloadFile } from '../util/browserDownload';
import { csvTable } from '../io/csv';

/** What the steps file reads of a run's history (the Training tab's StepHistory). */
export interface StepColumns {
  steps: readonly number[];
  loss: readonly number[];
  /** One array per class (channel order), aligned with `steps`: 1 − soft F-beta. */
  terms: readonly (readonly number[])[];
  bce: readonly number[];
  learningRate: readonly number[];
  msPerStep: readonly number[];
}

export interface ValidationRow {
  step: number;
  epoch: number;
  score: number;
  fRoad: number;
  fCar: number;
  precision: readonly number[];
  recall: readonly number[];
}

/** The column name of class `c`: its name in the label scheme, else "class_c". */
function className(classNames: readonly string[], c: number): string {
  const name = classNames[c]?.trim();
  return name ? name : `class_${c}`;
}

/** step, loss, loss_<class> per class, bce (when any step had one), learning_rate, ms_per_step. */
export function stepsCsv(history: StepColumns, classNames: readonly string[]): string {
  const withBce = history.bce.some(Number.isFinite);
  const header = ['step', 'loss', ...history.terms.map((_, c) => `loss_${className(classNames, c)}`), ...(withBce ? ['bce'] : []), 'learning_rate', 'ms_per_step'];
  const rows = history.steps.map((step, i) => [
    step,
    history.loss[i] ?? NaN,
    ...history.terms.map((t) => t[i] ?? NaN),
    ...(withBce ? [history.bce[i] ?? NaN] : []),
    history.learningRate[i] ?? NaN,
    history.msPerStep[i] ?? NaN,
  ]);
  return csvTable(header, rows);
}

/** step, epoch, score, f_road, f_vehicle, then precision_<class> and recall_<class> per class. */
export function validationsCsv(validations: readonly ValidationRow[], classNames: readonly string[]): string {
  const classes = Math.max(0, ...validations.map((v) => Math.max(v.precision.length, v.recall.length)));
  const names = Array.from({ length: classes }, (_, c) => className(classNames, c));
  const header = ['step', 'epoch', 'score', 'f_road', 'f_vehicle', ...names.map((n) => `precision_${n}`), ...names.map((n) => `recall_${n}`)];
  const rows = validations.map((v) => [
    v.step,
    v.epoch,
    v.score,
    v.fRoad,
    v.fCar,
    ...names.map((_, c) => v.precision[c] ?? NaN),
    ...names.map((_, c) => v.recall[c] ?? NaN),
  ]);
  return csvTable(header, rows);
}

/** A run name as a file-name stem ("e2e run" → "e2e-run"). */
export function runFileStem(runName: string): string {
  const stem = runName.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return stem === '' ? 'training-run' : stem;
}

/** The two CSV files of a run's curves: `<stem>_steps.csv` and `<stem>_validations.csv`. */
export function curvesCsvFiles(stem: string, history: StepColumns & { validations: readonly ValidationRow[] }, classNames: readonly string[]): DownloadFile[] {
  const file = (suffix: string, text: string): DownloadFile => ({ name: `${stem}_${suffix}.csv`, bytes: new TextEncoder().encode(text), type: 'text/csv' });
  return [file('steps', stepsCsv(history, classNames)), file('validations', validationsCsv(history.validations, classNames))];
}
