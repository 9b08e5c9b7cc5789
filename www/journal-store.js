// The Bulk tab's journals in IndexedDB: a run's header in `runs`, its entries in blocks of rows in
// `blocks` (journal.js says what they hold). Every operation rejects on failure rather than throw,
// and openStore() resolves to null where IndexedDB cannot be used (none, private mode, refused):
// the page then works without journals.

const DB_NAME = 'qingcloud-useradd';
const DB_VERSION = 1;

/** An IDBRequest or IDBTransaction as a promise: the request's result, or the transaction's end. */
function settle(target, done = 'success') {
  return new Promise((resolve, reject) => {
    target.addEventListener(done, () => resolve(target.result));
    target.addEventListener('error', () => reject(target.error));
    target.addEventListener('abort', () => reject(target.error ?? new DOMException('Aborted', 'AbortError')));
  });
}

/** The journal store, or null when IndexedDB is unavailable. */
export async function openStore(idb = globalThis.indexedDB) {
  let db;
  try {
    const request = idb.open(DB_NAME, DB_VERSION);
    request.addEventListener('upgradeneeded', () => {
      const created = request.result;
      created.createObjectStore('runs', { keyPath: 'id' });
      created.createObjectStore('blocks', { keyPath: ['runId', 'block'] });
    });
    db = await settle(request);
  } catch {
    return null;
  }
  // Another tab with a newer version of the page asks for the database: let it have it.
  db.addEventListener('versionchange', () => db.close());
  const range = (runId) => IDBKeyRange.bound([runId, -Infinity], [runId, Infinity]);

  return {
    /** Writes a run's header and blocks `[{ block, entries }]` in one transaction. */
    async put(head, blocks) {
      const tx = db.transaction(['runs', 'blocks'], 'readwrite');
      tx.objectStore('runs').put(head);
      const store = tx.objectStore('blocks');
      for (const { block, entries } of blocks) store.put({ runId: head.id, block, entries });
      return settle(tx, 'complete');
    },
    /** Every run: `[{ head, blocks }]`. */
    async all() {
      const tx = db.transaction(['runs', 'blocks'], 'readonly');
      const [heads, blocks] = await Promise.all([
        settle(tx.objectStore('runs').getAll()), settle(tx.objectStore('blocks').getAll())]);
      return heads.map((head) => ({ head, blocks: blocks.filter((b) => b.runId === head.id) }));
    },
    /** Forgets the runs `ids`. */
    async delete(ids) {
      const tx = db.transaction(['runs', 'blocks'], 'readwrite');
      for (const id of ids) {
        tx.objectStore('runs').delete(id);
        tx.objectStore('blocks').delete(range(id));
      }
      return settle(tx, 'complete');
    },
  };
}
