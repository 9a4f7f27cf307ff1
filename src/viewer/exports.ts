/** The viewer's downloads: masks as PNG (0/1 per class, and coloured), the overlay, answer files. */
import { encodeMaskPng, encodeRgbaPng, encodeRgbPng } from '../io/png';
import type { DownloadFile } from '../util/browserDownload';
import { colouredMasksRgb } from './overlay';

/** A file the viewer exports (a download). */
export type ExportFile = DownloadFile;

/** The file name stem for a frame's exports ("000_0021" for "train/CameraRGB/000_0021.png"). */
export function exportStem(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const stem = (dot > 0 ? name.slice(0, dot) : name).replace(/[^A-Za-z0-9._-]+/g, '-');
  return stem === '' ? 'frame' : stem;
}

/**
 * The file-name stem for exports of one frame: its file's stem, and for a frame of a video (shown
 * as "clip.mp4 frame 12") the frame number too ("clip_12").
 */
export function frameExportStem(framePath: string): string {
  const videoFrame = / frame (\d+)$/.exec(framePath);
  return videoFrame ? `${exportStem(framePath.slice(0, videoFrame.index))}_${videoFrame[1]}` : exportStem(framePath);
}

/** 0/1 single-channel PNGs per class, the challenge's mask format. */
export function binaryMaskFiles(stem: string, car: Uint8Array, road: Uint8Array, width: number, height: number): ExportFile[] {
  return [
    { name: `${stem}_car.png`, bytes: encodeMaskPng(car, width, height), type: 'image/png' },
    { name: `${stem}_road.png`, bytes: encodeMaskPng(road, width, height), type: 'image/png' },
  ];
}

export function colouredMaskFile(stem: string, car: Uint8Array, road: Uint8Array, width: number, height: number): ExportFile {
  return { name: `${stem}_masks.png`, bytes: encodeRgbPng(colouredMasksRgb(car, road), width, height), type: 'image/png' };
}

export function overlayFile(stem: string, rgba: Uint8ClampedArray, width: number, height: number): ExportFile {
  return { name: `${stem}_overlay.png`, bytes: encodeRgbaPng(rgba, width, height), type: 'image/png' };
}
