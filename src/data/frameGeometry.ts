/**
 * Frame size + crop rows + scale factor -> the network's input size. LinkNet halves the size five
 * times, so both input dimensions must be multiples of 32: the scaled crop is rounded to the
 * nearest multiple of 32 (at least 32) and the crop is resized to it; every adjustment is described
 * in a note a person can read. The result's crop/frame/input fields match InputSpec's names.
 */

/** The original's crop: rows [205, 525) of a 600-row frame (320 rows). */
export const DEFAULT_CROP_TOP = 205;
export const DEFAULT_CROP_BOTTOM = 525;
export const DEFAULT_FRAME_HEIGHT = 600;
export const SIZE_MULTIPLE = 32;

export interface FrameGeometryRequest {
  frameWidth: number;
  frameHeight: number;
  /** First row of the crop (inclusive). Default: 205 for 600-row frames, the same fraction of other heights. */
  cropTop?: number;
  /** Row after the crop (exclusive). Default: 525 for 600-row frames, the same fraction of other heights. */
  cropBottom?: number;
  /** Scale factor applied to the crop: 1, 1/2, 1/4, ... (any positive factor is accepted). Default 1. */
  scale?: number;
}

export interface FrameGeometry {
  frameWidth: number;
  frameHeight: number;
  cropTop: number;
  cropBottom: number;
  /** cropBottom - cropTop. */
  cropHeight: number;
  scale: number;
  /** Crop size times scale, before rounding (may be fractional). */
  scaledWidth: number;
  scaledHeight: number;
  /** The network input: multiples of 32. */
  inputWidth: number;
  inputHeight: number;
  /** True when the crop must be resized to the input (input differs from the crop's own size). */
  resize: boolean;
  /** One line per adjustment or default taken, e.g. 'width: 800 * 1/2 = 400 -> 416 (nearest multiple of 32)'. */
  notes: string[];
}

function isWhole(v: number): boolean {
  return Number.isInteger(v);
}

/** '1', '1/2', '1/4' for powers of two; otherwise a short decimal. */
export function formatScale(scale: number): string {
  if (scale === 1) return '1';
  for (let k = 1; k <= 16; k++) if (scale === 1 / 2 ** k) return `1/${2 ** k}`;
  for (let k = 1; k <= 16; k++) if (scale === 2 ** k) return `${2 ** k}`;
  return String(Number(scale.toPrecision(6)));
}

function formatNumber(v: number): string {
  return isWhole(v) ? String(v) : String(Number(v.toFixed(3)));
}

/** Nearest multiple of 32 (halves round up), at least 32. */
export function nearestMultipleOf32(v: number): number {
  return Math.max(SIZE_MULTIPLE, Math.round(v / SIZE_MULTIPLE) * SIZE_MULTIPLE);
}

/** The default crop rows for a frame height: 205-525 of 600, the same fraction of other heights. */
export function defaultCropRows(frameHeight: number): { top: number; bottom: number } {
  if (frameHeight === DEFAULT_FRAME_HEIGHT) return { top: DEFAULT_CROP_TOP, bottom: DEFAULT_CROP_BOTTOM };
  const top = Math.round((DEFAULT_CROP_TOP / DEFAULT_FRAME_HEIGHT) * frameHeight);
  const bottom = Math.max(top + 1, Math.round((DEFAULT_CROP_BOTTOM / DEFAULT_FRAME_HEIGHT) * frameHeight));
  return { top, bottom: Math.min(bottom, frameHeight) };
}

/** Problems with a frame size; empty when fine. */
export function validateFrameSize(frameWidth: number, frameHeight: number): string[] {
  const out: string[] = [];
  if (!isWhole(frameWidth) || frameWidth < 1) out.push(`frame width ${frameWidth} is not a positive whole number`);
  if (!isWhole(frameHeight) || frameHeight < 1) out.push(`frame height ${frameHeight} is not a positive whole number`);
  return out;
}

/** Problems with crop rows [top, bottom) for a frame height; empty when fine. */
export function validateCropRows(cropTop: number, cropBottom: number, frameHeight: number): string[] {
  const out: string[] = [];
  if (!isWhole(cropTop)) out.push(`crop top ${cropTop} is not a whole row number`);
  if (!isWhole(cropBottom)) out.push(`crop bottom ${cropBottom} is not a whole row number`);
  if (out.length > 0) return out;
  if (cropTop < 0) out.push(`crop top ${cropTop} is above the frame (rows start at 0)`);
  if (cropBottom > frameHeight) out.push(`crop bottom ${cropBottom} is below the frame's last row (the frame has ${frameHeight} rows; the bottom is exclusive, at most ${frameHeight})`);
  if (cropBottom <= cropTop) out.push(`crop rows ${cropTop}-${cropBottom} are empty (the bottom must be greater than the top)`);
  return out;
}

export function validateScale(scale: number): string[] {
  return Number.isFinite(scale) && scale > 0 ? [] : [`scale ${scale} is not a positive number`];
}

/** Every problem with a request, empty when it is valid (for a form to show beside its fields). */
export function frameGeometryProblems(req: FrameGeometryRequest): string[] {
  const size = validateFrameSize(req.frameWidth, req.frameHeight);
  if (size.length > 0) return size;
  const d = defaultCropRows(req.frameHeight);
  return [...validateCropRows(req.cropTop ?? d.top, req.cropBottom ?? d.bottom, req.frameHeight), ...validateScale(req.scale ?? 1)];
}

/** The network input geometry; throws RangeError naming every problem when the request is invalid. */
export function frameGeometry(req: FrameGeometryRequest): FrameGeometry {
  const problems = frameGeometryProblems(req);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const { frameWidth, frameHeight } = req;
  const notes: string[] = [];
  const d = defaultCropRows(frameHeight);
  const cropTop = req.cropTop ?? d.top;
  const cropBottom = req.cropBottom ?? d.bottom;
  if ((req.cropTop === undefined || req.cropBottom === undefined) && frameHeight !== DEFAULT_FRAME_HEIGHT) {
    notes.push(
      `crop rows ${cropTop}-${cropBottom}: the default rows ${DEFAULT_CROP_TOP}-${DEFAULT_CROP_BOTTOM} of ${DEFAULT_FRAME_HEIGHT} scaled to a ${frameHeight}-row frame`,
    );
  }
  const scale = req.scale ?? 1;
  const cropHeight = cropBottom - cropTop;
  const scaledWidth = frameWidth * scale;
  const scaledHeight = cropHeight * scale;
  const inputWidth = nearestMultipleOf32(scaledWidth);
  const inputHeight = nearestMultipleOf32(scaledHeight);
  const describe = (what: string, size: number, scaled: number, input: number) => {
    if (input === scaled) return;
    const why = scaled < SIZE_MULTIPLE ? `the smallest multiple of ${SIZE_MULTIPLE}` : `nearest multiple of ${SIZE_MULTIPLE}`;
    notes.push(`${what}: ${size} * ${formatScale(scale)} = ${formatNumber(scaled)} -> ${input} (${why})`);
  };
  describe('width', frameWidth, scaledWidth, inputWidth);
  describe('height', cropHeight, scaledHeight, inputHeight);
  const resize = inputWidth !== frameWidth || inputHeight !== cropHeight;
  if (resize) notes.push(`the ${frameWidth}x${cropHeight} crop is resized to ${inputWidth}x${inputHeight} (width x height)`);
  return { frameWidth, frameHeight, cropTop, cropBottom, cropHeight, scale, scaledWidth, scaledHeight, inputWidth, inputHeight, resize, notes };
}

/** All notes in one line (empty string when nothing was adjusted). */
export function geometryNote(g: FrameGeometry): string {
  return g.notes.join('; ');
}
