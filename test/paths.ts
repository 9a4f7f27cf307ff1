import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (the folder holding package.json). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The team's shared folder, beside the repository (fixtures and real data; read only). */
export const SHARED_DIR = resolve(REPO_ROOT, '../shared');
export const FIXTURES_DIR = resolve(SHARED_DIR, 'fixtures');
export const LYFT_REAL_DIR = resolve(SHARED_DIR, 'data/lyft-real');
