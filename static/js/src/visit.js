/**
 * What happens on one page view. A valid stored choice applies at once, with no
 * banner and no request before the load event. Otherwise the banner its
 * model asks for is shown, from the configuration that came with the script
 * (the one-request tag, /widget.js) or that is fetched with a short timeout (the
 * two-request tag, static/js/consent.js); when the latter cannot be had, the
 * built-in English opt-in banner is, and nothing optional runs until the
 * visitor says so. The two tags are two builds of this code (__EMBEDDED__).
 *
 * A revision newer than the stored choice's asks again. The one-request tag
 * knows the revision at once; the two-request tag checks it after the load
 * event and remembers it (localStorage `cm_revision`), so that later pages
 * hold the old choice back until the visitor answers.
 */
import { bannerShown, hideBanner, showBanner } from "./banner.js";
import { OPTIONAL } from "./catalog.js";
import { fetchConfig } from "./config.js";
import { newConsentId, now, readConsent } from "./cookies.js";
import { builtIn } from "./fallback.js";
import { GIVEN } from "./given.js";
import { guard } from "./guard.js";
import { prefetch } from "./later.js";
import { preferences } from "./preferences.js";
import { CHOICE, DEFAULT, STORED, apply, state } from "./state.js";
import { page } from "./tag.js";
import { whenBody } from "./ui.js";

/* global __EMBEDDED__ */
let fetching = null;   // this page view's one config request (two-request tag)
const REVISION = "cm_revision";

/** The newest revision this browser has been told about, or 0. */
const knownRevision = () => {
  try {
    return +localStorage.getItem(REVISION);
  } catch {
    return 0;
  }
};

const gpcSignal = () => navigator.globalPrivacyControl === true || state._config.gpc.signal;
/** GPC counts where the region's law makes it an opt-out of sale and sharing. */
const gpcHonored = () => state._config.model === "opt-out" && gpcSignal() &&
  state._config.gpc.categories.length > 0;

export function choose(choices, method) {
  apply(choices, CHOICE, {
    _id: state._record?._id || newConsentId(),
    _rev: state._config.revision,
    _method: method,
    _time: now(),
    _gpc: gpcSignal(),
    _optOut: state._config.model === "opt-out",
  });
}

export const all = (value) => Object.fromEntries(OPTIONAL.map((id) => [id, value]));
/** "Do not sell or share": the categories the region's law names, off. */
const noSale = (choices) => ({ ...choices, ...Object.fromEntries(state._config.gpc.categories.map((id) => [id, false])) });

/** The banner's and the dialog's buttons. */
function act(action, picked) {
  const hadConsent = state._record && OPTIONAL.some((id) => state._choices[id]);
  if (action === "accept_all") choose(all(true), action);
  else if (action === "reject_all") choose(all(false), hadConsent ? "withdraw" : action);
  else if (action === "save") choose(picked, "custom");
  else if (action === "customize") showPreferences();
  else if (action === "do_not_sell") choose(noSale(state._choices), "custom");
  else if (state._record?._rev === state._config.revision) hideBanner();   // OK after GPC was honored
  else choose(state._choices, "notice");                                     // OK: the notice was seen
}

/** The banner, once the body exists; then, after the load event, the dialog's part, so that it opens at once. */
export function ask() {
  whenBody(guard(() => showBanner(act, gpcHonored())));
  if (__EMBEDDED__) afterLoad(prefetch);
}

const loadConfig = () => (fetching ||= fetchConfig(page._api));

export async function showPreferences() {
  // A returning visitor before the background check (two-request tag): this page's config, or the built-in one.
  if (!__EMBEDDED__ && !state._config.config_hash) state._config = (await loadConfig()) || state._config;
  const dialog = await preferences();
  // (Only the one-request tag's dialog can be missing: fetching it failed. The banner offers the choice again.)
  whenBody(guard(() => dialog ? dialog._open(act, gpcHonored()) : ask()));
}

/** Show what the configuration's model asks; `stale` is a choice that no longer holds. */
function decide(config, stale) {
  if (!__EMBEDDED__) state._config = config;   // (the one-request tag's is set from the start)
  // The visitor already chose (through the API) while the config was on its way.
  if (!__EMBEDDED__ && state._record && state._record !== stale?._record && state._record._rev >= config.revision) return;
  if (config.model === "opt-in") {
    apply({}, DEFAULT);
  } else {
    // A category the visitor turned off before stays off.
    const defaults = Object.fromEntries(config.categories.map((c) =>
      [c.id, c.default && (!stale || stale._choices[c.id] !== false)]));
    if (gpcHonored()) choose(noSale(defaults), "gpc");
    else apply(defaults, DEFAULT);
  }
  ask();
}

/** After the load event (two-request tag): is the stored choice still for the current revision? */
const recheck = () => loadConfig().then(guard((config) => {
  if (!config) return;
  state._config = config;
  if (config.revision > state._record?._rev && !bannerShown()) {   // (no record: erased meanwhile)
    try {
      localStorage.setItem(REVISION, config.revision);
    } catch {}
    ask();
  }
}));

export function start() {
  const stored = readConsent();
  // The one-request tag's configuration came with the script, current; the two-request tag starts
  // from the built-in one, at the newest revision this browser has seen, until the service answers.
  const config = state._config = __EMBEDDED__ ? GIVEN :
    { ...builtIn(), revision: Math.max(stored?._record._rev || 1, knownRevision()) };
  const stale = stored && (stored._record._rev < config.revision ||
    // GPC switched on since an opt-out choice: the region's law makes it count, so ask again.
    (stored._record._optOut && gpcSignal() && !stored._record._gpc));   // (the built-in config has no signal)
  if (stored && !stale) {
    apply(stored._choices, STORED, stored._record);
    if (!__EMBEDDED__) afterLoad(recheck);
  } else {
    if (stored) state._record = stored._record;   // its consent_id carries over to the new answer
    if (__EMBEDDED__) decide(config, stale && stored);
    else loadConfig().then(guard((fetched) => decide(fetched || config, stale && stored)));
  }
}

export function afterLoad(fn) {
  const soon = () => setTimeout(guard(fn));
  if (document.readyState === "complete") soon();
  else addEventListener("load", soon);   // (it fires once)
}
