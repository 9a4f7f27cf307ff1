/** Errors during training -> the failure kinds the page explains (trainingProtocol TrainingFailure). */
import type { TrainingFailure } from '../worker/trainingProtocol';
import { PairDataError } from './pairSource';
import { StorageQuotaError } from './runStore';
import { errorMessage } from '../util/errorMessage';

/** The GPU device (or a simulated one) is gone; the run is rebuilt from its saved state on resume. */
export class DeviceLostError extends Error {
  constructor(detail: string) {
    super(`the GPU device was lost (${detail})`);
    this.name = 'DeviceLostError';
  }
}

export class NonFiniteLossError extends Error {
  /** `inGradients`: the loss was finite (its clamps hide NaN) but the gradients were not. */
  constructor(readonly step: number, readonly loss: number, readonly inGradients = false) {
    super(inGradients ? `the gradients became NaN or infinite at step ${step}` : `the loss became ${loss} at step ${step}`);
    this.name = 'NonFiniteLossError';
  }
}

export interface ClassifiedFailure {
  failure: TrainingFailure;
  message: string;
  /** Whether resuming as is can work (otherwise a setting must change first). */
  recoverable: boolean;
}

function text(e: unknown): string {
  return errorMessage(e);
}

const OOM = /out of memory|\boom\b|failed to allocate|allocation failed|cannot allocate|memory limit|GPUOutOfMemoryError|array buffer allocation|Array buffer allocation failed|RangeError: .*memory/i;
const DEVICE = /device (was |is )?lost|device.*destroyed|context lost|CONTEXT_LOST|GPUDevice.*lost/i;

export function classifyFailure(e: unknown, hints: { batchSize?: number; inputSize?: string } = {}): ClassifiedFailure {
  if (e instanceof NonFiniteLossError) {
    return {
      failure: 'nan-loss',
      message: `${e.message}. The update was not applied: the weights are those of the last good step. Lower the learning rate, then resume.`,
      recoverable: true,
    };
  }
  if (e instanceof DeviceLostError || DEVICE.test(text(e))) {
    return {
      failure: 'device-lost',
      message: `${e instanceof DeviceLostError ? e.message : `the GPU device was lost (${text(e)})`}. The run state is kept; resume creates a new device and continues from the last save.`,
      recoverable: true,
    };
  }
  if (e instanceof StorageQuotaError) return { failure: 'storage-quota', message: e.message, recoverable: true };
  if (e instanceof PairDataError) {
    return { failure: 'data', message: `bad training pair: ${e.message}. Remove or fix the file, then start again.`, recoverable: false };
  }
  if (OOM.test(text(e)) || (e as { name?: string } | null)?.name === 'GPUOutOfMemoryError') {
    const batch = hints.batchSize && hints.batchSize > 1 ? `a smaller batch (e.g. ${Math.max(1, Math.floor(hints.batchSize / 2))})` : 'a smaller batch';
    return {
      failure: 'out-of-memory',
      message: `out of memory (${text(e)}). Try ${batch} or a smaller input size${hints.inputSize ? ` than ${hints.inputSize}` : ''}; the run state is kept.`,
      recoverable: false,
    };
  }
  return { failure: 'other', message: text(e), recoverable: false };
}
