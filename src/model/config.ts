/** What a LinkNet model is: its architecture and the input it expects. */

export type EncoderName = 'resnet18' | 'resnet34' | 'resnet50' | 'resnet101' | 'resnet152';
export const ENCODER_NAMES: readonly EncoderName[] = ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'];

export type FinalActivation = 'softmax' | 'sigmoid';
export type ChannelOrder = 'bgr' | 'rgb';

/** How raw frame pixels become network input: x = (pixel[order] * scale - mean) / std, rows cropped. */
export interface InputSpec {
  channelOrder: ChannelOrder;
  /** Multiplier applied to 0..255 pixel values (1/255 maps them to [0,1]). */
  scale: number;
  /** Per-channel mean and std in network channel order, applied after scaling. */
  mean: [number, number, number];
  std: [number, number, number];
  /** Frame rows [top, bottom) the model was trained on (the crop), and the frame size it assumes. */
  cropTop: number;
  cropBottom: number;
  frameHeight: number;
  frameWidth: number;
  /** Network input size; the cropped region is resized to it (equal to the crop: no resize). Multiples of 32. */
  inputHeight: number;
  inputWidth: number;
}

export interface ModelConfig {
  encoder: EncoderName;
  /** Class names in output-channel order; their count is the number of output channels. */
  classes: string[];
  final: FinalActivation;
  input: InputSpec;
}

/** The original solution's conventions (OpenCV BGR, /255, no normalisation, rows 205-525 of 800x600). */
export function originalInputSpec(): InputSpec {
  return {
    channelOrder: 'bgr',
    scale: 1 / 255,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    cropTop: 205,
    cropBottom: 525,
    frameHeight: 600,
    frameWidth: 800,
    inputHeight: 320,
    inputWidth: 800,
  };
}

export const DEFAULT_CLASSES = ['background', 'road', 'vehicle'];

export function defaultModelConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    encoder: 'resnet34',
    classes: [...DEFAULT_CLASSES],
    final: 'softmax',
    input: originalInputSpec(),
    ...overrides,
  };
}

/** Height and width must be multiples of 32 (five stride-2 stages); returns a message when not. */
export function inputSizeProblem(height: number, width: number): string | null {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    return `input size ${height}x${width} is not a positive whole size`;
  }
  if (height % 32 !== 0 || width % 32 !== 0) {
    const up = (v: number) => Math.ceil(v / 32) * 32;
    const down = (v: number) => Math.max(32, Math.floor(v / 32) * 32);
    const smaller = `${down(height)}x${down(width)}`;
    const larger = `${up(height)}x${up(width)}`;
    return (
      `input size ${height}x${width} is not a multiple of 32 in both dimensions ` +
      `(LinkNet halves the size five times); use e.g. ${smaller === larger ? larger : `${smaller} or ${larger}`}`
    );
  }
  return null;
}
