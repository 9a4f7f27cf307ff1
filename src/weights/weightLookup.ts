/** Reading named tensors out of a weight map, with an error that names the one missing. */

/** Weights in PyTorch layout by state_dict name (the shape of LinkNetModel.readTorchWeights()). */
export type WeightLookup = (name: string) => Float32Array;

/** A lookup over a weight map that names the missing tensor. */
export function weightLookup(weights: ReadonlyMap<string, Float32Array>): WeightLookup {
  return (name) => {
    const data = weights.get(name);
    if (!data) throw new Error(`missing tensor "${name}"`);
    return data;
  };
}
