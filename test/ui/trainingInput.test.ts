import { describe, expect, it } from 'vitest';
import { frameGeometry } from '../../src/data/frameGeometry';
import { CARLA_SCHEME } from '../../src/data/labelScheme';
import { buildTrainingData, datasetFingerprint, fingerprintKind, fnv1a, inputSpecFromGeometry, type DatasetForTraining } from '../../src/ui/training/trainingInput';

function sample(overrides: Partial<DatasetForTraining> = {}): DatasetForTraining {
  const pairs = Array.from({ length: 6 }, (_, i) => ({ name: `sample/CameraRGB/frame_00${i}`, framePath: `sample/CameraRGB/frame_00${i}.png`, labelPath: `sample/CameraSeg/frame_00${i}.png` }));
  return {
    source: { kind: 'sample', count: 6, seed: 7, width: 800, height: 600 },
    pairs,
    train: [0, 1, 2, 3],
    val: [4, 5],
    geometry: frameGeometry({ frameWidth: 800, frameHeight: 600, scale: 0.25 }),
    scheme: CARLA_SCHEME,
    hood: null,
    ...overrides,
  };
}

describe('fingerprint', () => {
  it('is stable for the same data and names the kind and input size', () => {
    const a = datasetFingerprint(sample());
    expect(a).toBe(datasetFingerprint(sample()));
    expect(a).toMatch(/^sample-[0-9a-f]{16}-96x192$/);
    expect(fingerprintKind(a)).toBe('sample');
    expect(fingerprintKind('nonsense')).toBeNull();
  });

  it('changes with the split, the geometry, the pair names and the hood', () => {
    const base = datasetFingerprint(sample());
    const variants = [
      sample({ train: [0, 1, 2, 4], val: [3, 5] }),
      sample({ geometry: frameGeometry({ frameWidth: 800, frameHeight: 600, scale: 0.5 }) }),
      sample({ geometry: frameGeometry({ frameWidth: 800, frameHeight: 600, scale: 0.25, cropTop: 200 }) }),
      sample({ pairs: sample().pairs.map((p, i) => (i === 2 ? { ...p, name: 'other' } : p)) }),
      sample({ hood: { mask: new Uint8Array(800 * 600), width: 800, height: 600 } }),
      sample({ source: { kind: 'sample', count: 6, seed: 8, width: 800, height: 600 } }),
    ];
    const prints = new Set([base, ...variants.map(datasetFingerprint)]);
    expect(prints.size).toBe(variants.length + 1);
    const hoodA = new Uint8Array(800 * 600);
    const hoodB = hoodA.slice();
    hoodB[599 * 800 + 400] = 1;
    expect(datasetFingerprint(sample({ hood: { mask: hoodA, width: 800, height: 600 } }))).not.toBe(datasetFingerprint(sample({ hood: { mask: hoodB, width: 800, height: 600 } })));
  });

  it('FNV-1a matches the reference values', () => {
    expect(fnv1a('')).toBe('811c9dc5');
    expect(fnv1a('a')).toBe('e40c292c');
    expect(fnv1a('foobar')).toBe('bf9cf968');
  });
});

describe('buildTrainingData', () => {
  it('describes the sample by its generator parameters with the panel geometry as input spec', () => {
    const d = buildTrainingData(sample(), () => undefined);
    expect(d.source).toEqual({ kind: 'sample', count: 6, seed: 7, width: 800, height: 600 });
    expect(d.train).toEqual([0, 1, 2, 3]);
    expect(d.val).toEqual([4, 5]);
    expect([d.spec.inputHeight, d.spec.inputWidth, d.spec.cropTop, d.spec.cropBottom]).toEqual([96, 192, 205, 525]);
    expect(d.spec.channelOrder).toBe('bgr');
    expect(d.fingerprint).toBe(datasetFingerprint(sample()));
    expect(inputSpecFromGeometry(sample().geometry)).toEqual(d.spec);
  });

  it('hands over the File objects of a folder and names a missing one', () => {
    const files = new Map<string, File>();
    const ds = sample({ source: { kind: 'files', root: 'carla' } });
    for (const p of ds.pairs) {
      files.set(p.framePath, new File([new Uint8Array([1])], p.framePath));
      files.set(p.labelPath, new File([new Uint8Array([2])], p.labelPath));
    }
    const d = buildTrainingData(ds, (p) => files.get(p));
    expect(d.source.kind).toBe('files');
    if (d.source.kind !== 'files') return;
    expect(d.source.pairs).toHaveLength(6);
    expect(d.source.pairs[3]!.frame).toBe(files.get('sample/CameraRGB/frame_003.png'));
    expect(d.fingerprint.startsWith('files-')).toBe(true);
    files.delete('sample/CameraSeg/frame_004.png');
    expect(() => buildTrainingData(ds, (p) => files.get(p))).toThrow('sample/CameraSeg/frame_004.png');
  });

  it('passes a hood of the frame size and drops one of another size; refuses an empty train split', () => {
    const mask = new Uint8Array(800 * 600).fill(1);
    expect(buildTrainingData(sample({ hood: { mask, width: 800, height: 600 } }), () => undefined).hood).toBe(mask);
    expect(buildTrainingData(sample({ hood: { mask: new Uint8Array(4), width: 2, height: 2 } }), () => undefined).hood).toBeNull();
    expect(() => buildTrainingData(sample({ train: [] }), () => undefined)).toThrow(/training split is empty/);
  });
});
