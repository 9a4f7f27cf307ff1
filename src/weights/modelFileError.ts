/**
 * A weights/model file that cannot be read: truncated, corrupt, or not in the
 * expected format. The message names the problem and, where there is one, the
 * tensor (e.g. `tensor "decoder4.deconv2.weight": data ends at byte 1234 but
 * the file has only 1000 bytes (truncated file?)`).
 */
import { errorMessage } from '../util/errorMessage';
export class ModelFileError extends Error {
  /** The tensor the problem concerns, when there is one. */
  readonly tensor?: string;

  constructor(message: string, tensor?: string) {
    super(message);
    this.name = 'ModelFileError';
    if (tensor !== undefined) this.tensor = tensor;
  }
}

/** An error about one file or saved model, its message starting with that name. */
export class NamedModelError extends Error {
  constructor(readonly subject: string, readonly problem: string, readonly tensor?: string) {
    super(`${subject}: ${problem}`);
    this.name = 'NamedModelError';
  }
}

/** Prefixes a failure with the file (or saved model) it concerns. */
export function namedError(subject: string, e: unknown): NamedModelError {
  if (e instanceof NamedModelError) return e;
  return new NamedModelError(subject, errorMessage(e), e instanceof ModelFileError ? e.tensor : undefined);
}
