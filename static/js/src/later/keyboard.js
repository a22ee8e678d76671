/**
 * The dialog's keyboard refinements: Tab from the last stop goes to the first
 * and Shift+Tab from the first to the last (a native modal dialog lets focus
 * leave for the browser's own controls), and focus goes back where it was when
 * the dialog closes, also in browsers that do not do that themselves.
 */
export function keyboard(dialog, root) {
  const opener = root.activeElement || document.activeElement;
  dialog.addEventListener("close", () => opener?.focus());   // a no-op when it has left the page
  dialog.addEventListener("keydown", (event) => {
    const stops = [...dialog.querySelectorAll("input,button")];
    if (event.shiftKey) stops.reverse();
    if (event.key === "Tab" && root.activeElement === stops.at(-1)) {
      event.preventDefault();
      stops[0].focus();
    }
  });
}
