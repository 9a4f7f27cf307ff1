/** Hands files to the browser as downloads. */

export interface DownloadFile {
  name: string;
  bytes: Uint8Array;
  /** MIME type, e.g. "image/png". */
  type: string;
}

/** A file already in a Blob (made off the page: handing a Blob over copies nothing). */
export interface BlobFile {
  name: string;
  blob: Blob;
}

/** The bytes of a file, from either form. */
export async function fileBytes(file: DownloadFile | BlobFile): Promise<Uint8Array> {
  return 'blob' in file ? new Uint8Array(await file.blob.arrayBuffer()) : file.bytes;
}

/** How long the object URL of a started download stays valid. */
const URL_LIFETIME_MS = 60_000;
/** Gap between two downloads of one action, so the browser drops none of them. */
const DOWNLOAD_GAP_MS = 150;

/** Starts a browser download of one file (an anchor click on an object URL). */
export function downloadFile(file: DownloadFile | BlobFile): void {
  // A Blob of 86 MB of bytes takes about 350 ms to make on a slow CPU: files made in a worker come as Blobs.
  const blob = 'blob' in file ? file.blob : new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type });
  const url = URL.createObjectURL(blob);
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
export async function downloadFiles(files: readonly (DownloadFile | BlobFile)[]): Promise<void> {
  for (const [i, f] of files.entries()) {
    if (i > 0) await new Promise((r) => setTimeout(r, DOWNLOAD_GAP_MS));
    downloadFile(f);
  }
}
