/**
 * The categories: each one's id, whether it is required, and its Google Consent
 * Mode types. They give the synchronous Consent Mode defaults and the order of
 * the choices in the cookie. The one-request tag takes them from the
 * configuration that came with it; the two-request tag, which knows no
 * configuration yet, from data/categories.json at build time
 * (scripts/build-widget.mjs), so a shop that adds a category rebuilds the widget.
 */
import { GIVEN } from "./given.js";

/* global __EMBEDDED__, __CATEGORIES__ */
export const CATEGORIES = __EMBEDDED__ ? GIVEN.categories : __CATEGORIES__;
/** The categories a visitor chooses, in receipt order. */
export const OPTIONAL = CATEGORIES.filter((c) => !c.required).map((c) => c.id);
