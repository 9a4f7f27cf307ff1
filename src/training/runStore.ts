/**
 * Persistence of training runs (RunState): in IndexedDB in the browser (page or worker), in memory
 * for tests and Node. Summaries and the heavy state (weights, Adam moments) live in separate object
 * stores so listing runs reads no weights. A full disk is reported as a StorageQuotaError.
 */
import { summarise, type RunState, type RunSummary } from './runState';
import { errorMessage } from '../util/errorMessage';

export interface RunStore {
  save(state: RunState): Promise<void>;
  load(runId: string): Promise<RunState | null>;
  list(): Promise<RunSummary[]>;
  rename(runId: string, name: string): Promise<void>;
  delete(runId: string): Promise<void>;
}

export class StorageQuotaError extends Error {
  constructor(detail: string) {
    super(`the browser's storage is full (${detail}); delete saved runs or models, or free disk space, then resume`);
    this.name = 'StorageQuotaError';
  }
}

function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name ?? '';
  return name === 'QuotaExceededError' || /quota/i.test(errorMessage(e));
}

const byNewest = (a: RunSummary, b: RunSummary) => b.savedAt - a.savedAt || a.runId.localeCompare(b.runId);

/**
 * Keeps copies (structuredClone), like IndexedDB does, so later changes to a state do not leak in;
 * stores states split like IndexedDbRunStore does (splitRunState / joinRunState).
 */
export class MemoryRunStore implements RunStore {
  private readonly states = new Map<string, { stored: StoredRunState; summary: RunSummary }>();
  private readonly tensors = new Map<string, Float32Array>();
  /** Test hook: the next save fails as if the disk were full. */
  failNextSaveWithQuota = false;
  saves = 0;

  async save(state: RunState): Promise<void> {
    if (this.failNextSaveWithQuota) {
      this.failNextSaveWithQuota = false;
      throw new StorageQuotaError('QuotaExceededError');
    }
    const { stored, tensors } = splitRunState(structuredClone(state));
    for (const t of tensors) this.tensors.set(t.key, t.data);
    this.states.set(state.runId, { stored, summary: summarise(state) });
    this.saves++;
  }

  async load(runId: string): Promise<RunState | null> {
    const entry = this.states.get(runId);
    if (!entry) return null;
    return structuredClone(joinRunState(entry.stored, (key) => this.tensors.get(key)));
  }

  async list(): Promise<RunSummary[]> {
    return [...this.states.values()].map((e) => e.summary).sort(byNewest);
  }

  async rename(runId: string, name: string): Promise<void> {
    const entry = this.states.get(runId);
    if (!entry) throw new Error(`no saved run ${runId}`);
    entry.stored.name = name;
    entry.summary = { ...entry.summary, name };
  }

  async delete(runId: string): Promise<void> {
    this.states.delete(runId);
    for (const key of [...this.tensors.keys()]) if (key.startsWith(`${runId}|`)) this.tensors.delete(key);
  }
}

const DB_NAME = 'segmentation-studio-runs';
const DB_VERSION = 2;
const SUMMARIES = 'summaries';
const STATES = 'states';
const TENSORS = 'tensors';

/** A run state without its tensors, plus the keys of the tensor records that complete it. */
export interface StoredRunState extends Omit<RunState, 'weights' | 'adam'> {
  adam: Omit<RunState['adam'], 'moments'>;
  weightNames: string[];
  momentCount: number;
}

export interface TensorRecord {
  key: string;
  runId: string;
  data: Float32Array;
}

const tensorKey = (runId: string, kind: 'w' | 'm', id: string | number) => `${runId}|${kind}|${id}`;

/**
 * A state -> a small record plus one record per tensor. Browsers cap the size of one IndexedDB
 * value (Chrome: about 128 MiB, less than a LinkNet34's weights and Adam moments together).
 */
export function splitRunState(state: RunState): { stored: StoredRunState; tensors: TensorRecord[] } {
  const { weights, adam, ...rest } = state;
  const { moments, ...adamRest } = adam;
  const weightNames = Object.keys(weights);
  const tensors: TensorRecord[] = [
    ...weightNames.map((name) => ({ key: tensorKey(state.runId, 'w', name), runId: state.runId, data: weights[name] })),
    ...moments.map((data, i) => ({ key: tensorKey(state.runId, 'm', i), runId: state.runId, data })),
  ];
  return { stored: { ...rest, adam: adamRest, weightNames, momentCount: moments.length }, tensors };
}

/** The inverse of splitRunState; `tensor(key)` gives a record's data (or undefined when missing). */
export function joinRunState(stored: StoredRunState, tensor: (key: string) => Float32Array | undefined): RunState {
  const { weightNames, momentCount, adam, ...rest } = stored;
  const need = (key: string) => {
    const data = tensor(key);
    if (!data) throw new Error(`the saved run "${stored.name}" is incomplete (${key} is missing)`);
    return data;
  };
  const weights = Object.fromEntries(weightNames.map((name) => [name, need(tensorKey(stored.runId, 'w', name))]));
  const moments = Array.from({ length: momentCount }, (_, i) => need(tensorKey(stored.runId, 'm', i)));
  return { ...rest, weights, adam: { ...adam, moments } };
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

const runKeys = (runId: string) => IDBKeyRange.bound(`${runId}|`, `${runId}|\uffff`);

export class IndexedDbRunStore implements RunStore {
  private db: Promise<IDBDatabase> | null = null;

  private open(): Promise<IDBDatabase> {
    if (!this.db) {
      const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
      if (!idb) return Promise.reject(new Error('this browser offers no IndexedDB (private window or a locked-down profile?)'));
      const r = idb.open(DB_NAME, DB_VERSION);
      r.onupgradeneeded = () => {
        const db = r.result;
        // Version 1 kept whole states in one record; they are dropped (too large for some browsers).
        for (const name of [SUMMARIES, STATES, TENSORS]) if (db.objectStoreNames.contains(name)) db.deleteObjectStore(name);
        db.createObjectStore(SUMMARIES, { keyPath: 'runId' });
        db.createObjectStore(STATES, { keyPath: 'runId' });
        db.createObjectStore(TENSORS, { keyPath: 'key' });
      };
      this.db = request(r);
      this.db.catch(() => {
        this.db = null;
      });
    }
    return this.db;
  }

  private async write(work: (tx: IDBTransaction) => void): Promise<void> {
    const db = await this.open();
    try {
      const tx = db.transaction([SUMMARIES, STATES, TENSORS], 'readwrite');
      const finished = done(tx);
      try {
        work(tx);
      } catch (e) {
        tx.abort();
        finished.catch(() => undefined);
        throw e;
      }
      await finished;
    } catch (e) {
      if (isQuotaError(e)) throw new StorageQuotaError(errorMessage(e));
      throw e;
    }
  }

  async save(state: RunState): Promise<void> {
    const { stored, tensors } = splitRunState(state);
    await this.write((tx) => {
      const t = tx.objectStore(TENSORS);
      for (const record of tensors) t.put(record);
      tx.objectStore(STATES).put(stored);
      tx.objectStore(SUMMARIES).put(summarise(state));
    });
  }

  async load(runId: string): Promise<RunState | null> {
    const db = await this.open();
    const tx = db.transaction([STATES, TENSORS], 'readonly');
    const [stored, records] = await Promise.all([
      request(tx.objectStore(STATES).get(runId)) as Promise<StoredRunState | undefined>,
      request(tx.objectStore(TENSORS).getAll(runKeys(runId))) as Promise<TensorRecord[]>,
    ]);
    if (!stored) return null;
    const byKey = new Map(records.map((r) => [r.key, r.data]));
    return joinRunState(stored, (key) => byKey.get(key));
  }

  async list(): Promise<RunSummary[]> {
    const db = await this.open();
    const all = await request(db.transaction(SUMMARIES, 'readonly').objectStore(SUMMARIES).getAll());
    return (all as RunSummary[]).sort(byNewest);
  }

  async rename(runId: string, name: string): Promise<void> {
    const db = await this.open();
    const tx = db.transaction([SUMMARIES, STATES], 'readwrite');
    const finished = done(tx);
    const states = tx.objectStore(STATES);
    const summaries = tx.objectStore(SUMMARIES);
    const stored = (await request(states.get(runId))) as StoredRunState | undefined;
    if (!stored) {
      tx.abort();
      finished.catch(() => undefined);
      throw new Error(`no saved run ${runId}`);
    }
    states.put({ ...stored, name });
    const summary = (await request(summaries.get(runId))) as RunSummary | undefined;
    if (summary) summaries.put({ ...summary, name });
    await finished;
  }

  async delete(runId: string): Promise<void> {
    await this.write((tx) => {
      tx.objectStore(TENSORS).delete(runKeys(runId));
      tx.objectStore(STATES).delete(runId);
      tx.objectStore(SUMMARIES).delete(runId);
    });
  }
}
