/**
 * Challenge-layout pairs on disk (Node) as a training PairSource: pair i is decoded from its
 * CameraRGB and CameraSeg PNGs when asked for, so the BatchPipeline (crop, resize, hood) and the
 * validation grader run on files exactly as they do on the studio's data.
 */
import { ListedPairSource, PairDataError, type DecodedPair } from '../training/pairSource';
import { readPng, type ChallengePair } from './imageFiles';
import { errorMessage } from '../util/errorMessage';

export class ChallengePairSource extends ListedPairSource<ChallengePair> {
  async load(index: number): Promise<DecodedPair> {
    const pair = this.pairs[index];
    if (!pair) throw new PairDataError(this.name(index), `no such pair (there are ${this.pairs.length})`);
    const read = (path: string, what: string) => {
      try {
        return readPng(path);
      } catch (e) {
        throw new PairDataError(pair.name, `the ${what} cannot be read: ${errorMessage(e)}`);
      }
    };
    const frame = read(pair.rgb, 'frame');
    const label = read(pair.seg, 'label');
    return { frame, label };
  }
}
