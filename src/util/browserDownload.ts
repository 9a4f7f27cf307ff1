/** Hands files to the browser as downloads. */

export interface DownloadFile {
  name: string;
  bytes: Uint8Array;
  /** MIME type, e.g. "image/png". */
  type: string;
}

/** How long the object URL of a started download stays valid. */
const URL_LIFETIME_MS = 60_000;
/** Gap between two downloads of one action, so the browser drops none of them. */
const DOWNLOAD_GAP_MS = 150;

/** Starts a browser download of one file (an anchor click on an object URL). */
export function downloadFile(file: DownloadFile): void {
  const url = URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), URL_LIFETIME_MS);
}

/** Starts the downloads of several files, spaced so none is dropped. */
export async function downloadFiles(files: readonly DownloadFile[]): Promise<void> {
  for (const [i, f] of files.entries()) {
    if (i > 0) await new Promise((r) => setTimeout(r, DOWNLOAD_GAP_MS));
    downloadFile(f);
  }
}
