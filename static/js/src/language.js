/** Which language to ask the service for: the page's <html lang>, then the browser's. */

const TAG = /^[a-z]{1,8}(-[a-z0-9]{1,8}){0,4}$/i;

export const wantedLanguage = () =>
  [document.documentElement.lang, ...navigator.languages].find((tag) => TAG.test(tag));
