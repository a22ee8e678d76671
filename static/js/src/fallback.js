/**
 * The built-in configuration, taken from data/ at build time (scripts/build-widget.mjs):
 * the strictest region's model and the English texts. It is used when the service
 * cannot be reached or answers nonsense, so that the widget fails closed, and its
 * categories give the synchronous Consent Mode defaults before any request.
 */
/* global __FALLBACK__ */
export const FALLBACK = __FALLBACK__;
export const CATEGORIES = FALLBACK.categories;
/** The categories a visitor chooses, in receipt order. */
export const OPTIONAL = CATEGORIES.filter((c) => !c.required).map((c) => c.id);
