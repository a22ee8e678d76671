/**
 * The banner configuration, fetched from the service with a short timeout and
 * validated (the two-request tag). Anything missing, slow or malformed gives
 * null: the caller then fails closed on the built-in configuration.
 */
import { builtIn } from "./fallback.js";
import { wantedLanguage } from "./language.js";

export const TIMEOUT_MS = 2500;
// The texts of the built-in configuration, and those only the service's banners and the dialog's details use.
const EXTRA = ["ok", "do_not_sell", "dialog_description", "dialog_services", "dialog_gpc_honored", "download",
  "delete", "dialog_deleted", "dialog_unavailable"];

const isString = (v) => typeof v === "string";
const strings = (list) => Array.isArray(list) && list.every(isString);
const count = (n) => Number.isInteger(n) && n > 0;

/** Everything the widget reads, of the right type; a missing or null part throws, which is false too. */
export function valid(c) {
  try {
    return ["opt-in", "opt-out", "notice"].includes(c.model) && count(c.revision) && count(c.lifetime_days) &&
      /^[0-9a-f]{64}$/.test(c.config_hash) && isString(c.lang) && strings(c.gpc.categories) &&
      [...Object.keys(builtIn().texts), ...EXTRA].every((key) => isString(c.texts[key])) &&
      c.categories.every((k) =>
        [[k.id, k.title, k.description], k.consent_mode, k.cookies, k.services].every(strings));
  } catch {
    return false;
  }
}

export async function fetchConfig(api) {
  try {
    const lang = wantedLanguage();
    // The timeout covers the body too: a response that starts and then stalls is slow as well.
    const response = await fetch(`${api}/api/v1/config${lang ? `?lang=${lang}` : ""}`,
      { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const config = response.ok && await response.json();
    return valid(config) ? config : null;
  } catch {
    return null;
  }
}
