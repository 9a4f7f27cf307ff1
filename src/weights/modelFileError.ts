/**
 * A weights/model file that cannot be read: truncated, corrupt, or not in the
 * expected format. The message names the problem and, where there is one, the
 * tensor (e.g. `tensor "decoder4.deconv2.weight": data ends at byte 1234 but
 * the file has only 1000 bytes (truncated file?)`).
 */
export class ModelFileError extends Error {
  /** The tensor the problem concerns, when there is one. */
  readonly tensor?: string;

  constructor(message: string, tensor?: string) {
    super(message);
    this.name = 'ModelFileError';
    if (tensor !== undefined) this.tensor = tensor;
  }
}
