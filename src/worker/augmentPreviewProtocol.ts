/** Messages between the page and the augmentation preview worker. */
import type { AugmentConfig } from '../training/augment';
import type { AugmentPreview, RgbaImage } from '../training/augmentPreview';

export interface PreviewRequest {
  id: number;
  frames: RgbaImage[];
  overlays: RgbaImage[] | null;
  config: AugmentConfig;
  seed: number;
}

export type PreviewReply = { id: number; ok: true; preview: AugmentPreview; backend: string } | { id: number; ok: false; error: string };
