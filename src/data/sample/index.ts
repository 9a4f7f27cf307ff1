/** The built-in sample dataset: procedural CARLA-like frames and labels (see generateFrame.ts). */
export { generateSampleFrame, sampleFrameDrive, sampleHoodMask, SAMPLE_FRAME_HEIGHT, SAMPLE_FRAME_WIDTH, type SampleFrame, type SampleFrameOptions } from './generateFrame';
export {
  encodeSamplePair,
  sampleDatasetFiles,
  SAMPLE_DATASET_DEFAULTS,
  samplePairPaths,
  sampleSplitCounts,
  type SampleDatasetOptions,
  type SampleFileDescriptor,
  type SampleSplit,
} from './sampleDataset';
