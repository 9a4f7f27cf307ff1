/**
 * The files a model exports to, from its weights as the backend holds them (TensorFlow.js layout):
 * safetensors (F32, F16, BF16; PyTorch names and layout), the TensorFlow.js format (model.json +
 * weights.bin) or ONNX. Pure computation over page-memory arrays, so it runs the same in the
 * model-files worker (src/worker/modelFilesWorker.ts) and in Node.
 */
import type { ModelConfig } from '../model/config';
import { linkNetOnnxModel } from '../onnx/exportOnnx';
import { encodeOnnxModel } from '../onnx/onnxMessages';
import type { DownloadFile } from '../util/browserDownload';
import { safetensorsModelBytes } from './modelFile';
import { torchWeightsFromTfLayout } from './pytorchLayout';
import type { WritableDtype } from './safetensors';
import { artifactsFromTfWeights, TFJS_WEIGHTS_FILE, tfjsModelFiles } from './tfjsFormat';

export type ExportTarget = WritableDtype | 'tfjs' | 'onnx';
export const EXPORT_TARGETS: readonly ExportTarget[] = ['F32', 'F16', 'BF16', 'tfjs', 'onnx'];

const BINARY = 'application/octet-stream';

/** The file(s) of `target` for a LinkNet with `config` and `weights` (TensorFlow.js layout); names start with `stem`. */
export function modelExportFiles(
  target: ExportTarget,
  stem: string,
  config: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
  extraMetadata: Record<string, string> = {},
): DownloadFile[] {
  if (target === 'tfjs') {
    const files = tfjsModelFiles(artifactsFromTfWeights(config, weights, extraMetadata));
    return [
      { name: 'model.json', bytes: new TextEncoder().encode(files.modelJson), type: 'application/json' },
      { name: TFJS_WEIGHTS_FILE, bytes: files.weights, type: BINARY },
    ];
  }
  const torch = torchWeightsFromTfLayout(config, weights);
  if (target === 'onnx') return [{ name: `${stem}.onnx`, bytes: encodeOnnxModel(linkNetOnnxModel(config, torch, extraMetadata)), type: BINARY }];
  const suffix = target === 'F32' ? '' : `-${target.toLowerCase()}`;
  return [{ name: `${stem}${suffix}.safetensors`, bytes: safetensorsModelBytes(config, torch, target, extraMetadata), type: BINARY }];
}
