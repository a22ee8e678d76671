/**
 * The first-party cookie `cm_consent` and the clearing of denied categories' cookies.
 *
 * Format (version 1): `1.<consent_id>.<revision>.<choices>.<time>.<method>.<flags>.<check>`
 *   consent_id  32 hex digits (128 random bits), also the receipts' consent_id
 *   choices     one 0/1 per optional category, in receipt order (analytics, personalization, marketing)
 *   time        seconds since the epoch when the visitor chose
 *   method      as in the receipt (accept_all, reject_all, custom, gpc, withdraw, notice)
 *   flags       0/1: the choice was made under an opt-out law; a GPC signal was on
 *   check       FNV-1a of everything before it: a hand-edited or truncated value reads as no choice
 * The check cannot stop a script on the page from forging a value (nothing in a
 * browser can); the signed receipt on the server is the proof of consent.
 */
import { OPTIONAL } from "./catalog.js";
import { page } from "./tag.js";

const NAME = "cm_consent";
const FORMAT = /^1\.([0-9a-f]{32})\.(\d+)\.([01]+)\.(\d+)\.([a-z_]+)\.([01])([01])\.([0-9a-f]{8})$/;
const DAY = 86400;

const fnv = (text) => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return (hash >>> 0).toString(16).padStart(8, "0");
};
export const now = () => Math.floor(Date.now() / 1000);

/** Every [name, value] of document.cookie, in order. */
const jar = () => document.cookie.split("; ").map((pair) => pair.split(/=(.*)/));

/** The newest valid stored choice (a host and a parent-domain cookie may both exist), or null. */
export function readConsent() {
  let best = null;
  for (const [name, value] of jar()) {
    const m = name === NAME && FORMAT.exec(value);
    // Unchecked, from a different set of categories, or from the future (beyond clock skew): not ours.
    if (!m || fnv(value.slice(0, -9)) !== m[8] || m[3].length !== OPTIONAL.length || m[4] > now() + DAY ||
      best?._record._time > m[4]) continue;
    best = {
      _choices: Object.fromEntries(OPTIONAL.map((id, i) => [id, m[3][i] > 0])),
      _record: { _id: m[1], _rev: +m[2], _time: +m[4], _method: m[5], _optOut: m[6] > 0, _gpc: m[7] > 0 },
    };
  }
  return best;
}

/** Store the choice for `days` (0: delete it), on the tag's data-cookie-domain if the browser takes it there. */
export function writeConsent(record, choices, days) {
  const domain = page._domain;
  const body = ["1", record._id, record._rev, OPTIONAL.map((id) => +choices[id]).join(""), record._time,
    record._method, +record._optOut + "" + +record._gpc].join(".");
  const value = `${body}.${fnv(body)}`;
  const write = (scope) => {
    document.cookie = `${NAME}=${value}; Path=/; Max-Age=${days * DAY}; SameSite=Lax${
      location.protocol === "https:" ? "; Secure" : ""}${scope}`;
  };
  write(domain ? `; Domain=${domain}` : "");
  // A data-cookie-domain this page is not under is refused by the browser: keep the choice host-only.
  if (!document.cookie.includes(value)) write("");
}

/** Expire every cookie matching the patterns (`*` is a wildcard) on this host and its parent domains. */
export function clearCookies(patterns) {
  let match;   // built only when there is a cookie to test: most first visits have none a script can see
  const parts = location.hostname.split(".");
  for (const [name] of jar()) {
    if (!name || name === NAME || !(match ||= new RegExp(`^(${patterns.map((p) =>
      p.replace(/[^\w*]/g, "\\$&").replace(/\*/g, ".*")).join("|")})$`)).test(name)) continue;
    for (let i = 0; i < parts.length; i++) {
      // i = 0 also expires the host-only cookie; an address's "parent domains" are simply refused.
      document.cookie = `${name}=; Path=/; Max-Age=0${i ? `; Domain=${parts.slice(i - 1).join(".")}` : ""}`;
    }
  }
}

export const newConsentId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
