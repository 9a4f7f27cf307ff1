/**
 * Object URLs for thumbnail blobs, made on first use and kept while the dataset they belong to is
 * shown, so scrolling the grid never re-creates them. Asking for a URL on behalf of another
 * dataset (`owner`: its pairing result) frees every URL of the previous one.
 */
let urls = new WeakMap<Blob, string>();
let made: string[] = [];
let currentOwner: object | null = null;

export function thumbUrl(blob: Blob, owner: object): string {
  if (owner !== currentOwner) {
    for (const u of made) URL.revokeObjectURL(u);
    made = [];
    urls = new WeakMap();
    currentOwner = owner;
  }
  let url = urls.get(blob);
  if (!url) {
    url = URL.createObjectURL(blob);
    urls.set(blob, url);
    made.push(url);
  }
  return url;
}
