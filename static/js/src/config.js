/**
 * The banner configuration, fetched from the service with a short timeout and
 * validated. Anything missing, slow or malformed gives null: the caller then
 * fails closed on the built-in configuration.
 */
import { FALLBACK } from "./fallback.js";
import { wantedLanguage } from "./language.js";

export const TIMEOUT_MS = 2500;
// The built-in texts, and those only the service's banners use.
const TEXTS = [...Object.keys(FALLBACK.texts), "ok", "do_not_sell", "dialog_description", "dialog_services",
  "dialog_gpc_honored"];

const isString = (v) => typeof v === "string";
const strings = (list) => Array.isArray(list) && list.every(isString);
const count = (n) => Number.isInteger(n) && n > 0;

/** Everything the widget reads, of the right type; a missing or null part throws, which is false too. */
export function valid(c) {
  try {
    return ["opt-in", "opt-out", "notice"].includes(c.model) && count(c.revision) && count(c.lifetime_days) &&
      /^[0-9a-f]{64}$/.test(c.config_hash) && isString(c.lang) && strings(c.gpc.categories) &&
      TEXTS.every((key) => isString(c.texts[key])) &&
      c.categories.every((k) => strings([k.id, k.title, k.description]) &&
        strings(k.consent_mode) && strings(k.cookies) && strings(k.services));
  } catch {
    return false;
  }
}

export async function fetchConfig(api) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  try {
    const lang = wantedLanguage();
    const response = await fetch(`${api}/api/v1/config${lang ? `?lang=${lang}` : ""}`,
      { signal: abort.signal });
    const config = response.ok && await response.json();
    return valid(config) ? config : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
