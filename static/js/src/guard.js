/** The widget never throws into the host page: every entry point runs through guard. */

export const guard = (fn) => function (...args) {
  try {
    return fn.apply(this, args);
  } catch (error) {
    console.error("[consent]", error);
  }
};
