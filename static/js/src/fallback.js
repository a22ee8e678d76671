/**
 * The built-in configuration, taken from data/ at build time (scripts/build-widget.mjs):
 * the strictest region's model and the English texts. It is used when the service
 * cannot be reached or answers nonsense, so that the widget fails closed, and its
 * categories give the synchronous Consent Mode defaults before any request.
 */
/* global __FALLBACK__ */
const BUILT_IN = __FALLBACK__;
export const CATEGORIES = BUILT_IN.categories.map((c) =>
  ({ default: !!c.required, cookies: [], services: [], ...c }));
export const FALLBACK = { ...BUILT_IN, categories: CATEGORIES };
/** The categories a visitor chooses, in receipt order. */
export const OPTIONAL = CATEGORIES.filter((c) => !c.required).map((c) => c.id);
