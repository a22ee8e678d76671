/**
 * The receipt sender. Every choice is queued in localStorage first and then
 * posted (text/plain: no CORS preflight; keepalive: it survives navigation). An
 * entry leaves the queue only when the service answered 201, or refused it for
 * good (a 4xx other than 408/429, which no retry can fix); when the service is
 * down or slow the entry waits for a later page. A Web Lock keeps two tabs from
 * posting the same entry. A page closed while its post is in flight keeps the
 * entry, so a receipt the service did record may be posted once more: the
 * service counts one answer per visitor and day either way.
 */
import { page } from "./tag.js";

const KEY = "cm_queue";
let running = Promise.resolve();

const read = () => {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || [];
  } catch {
    return [];
  }
};
/** false when storage is unavailable (disabled, full) */
const write = (queue) => {
  try {
    localStorage.setItem(KEY, JSON.stringify(queue.slice(-50)));
    return true;
  } catch {}
};

/** `unstored`: a receipt storage would not take; this page still posts it, once. */
async function deliver(unstored) {
  for (const entry of [...read(), ...unstored]) {
    // Unreachable: fetch throws, which ends this flush; the entry waits for a later page.
    const response = await fetch(`${page._api}/api/v1/consents`,
      { method: "POST", body: JSON.stringify(entry.b), keepalive: true });
    const status = response.status;
    if (status >= 500 || status === 408 || status === 429) return;
    if (!response.ok) console.warn("[consent]", status);
    write(read().filter((e) => e.k !== entry.k));
  }
}

/** Post every queued receipt, one flush at a time in this page and across tabs. */
export function flush(unstored = []) {
  const run = () => deliver(unstored);
  return running = running.then(() => navigator.locks?.request(KEY, run) ?? run()).catch(() => {});
}

/** After the record was erased: no queued choice may re-create it. */
export const drop = () => write([]);

export function send(body) {
  const entry = { k: Math.random(), b: body };
  return flush(write([...read(), entry]) ? [] : [entry]);
}
