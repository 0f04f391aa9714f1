import type { Field } from '../api.js';

/*
 * index.html carries the report form's first step as plain HTML, drawn before the app's code has run
 * (issue 16), with the field list the server wrote into it for "/" (server/routes/first-view.ts).
 */

/** Whether that static step is still in the page (on "/", in Vietnamese, until the app draws a page). */
export function firstViewShown(): boolean {
  const el = document.getElementById('first-view');
  return !!el && !document.documentElement.classList.contains('fv-off');
}

/** The field list the server put in the page, so the form's first step needs no round trip; undefined when there is none. */
export function firstViewFields(): Field[] | undefined {
  const json = document.getElementById('first-view-fields')?.textContent;
  if (!json) return undefined;
  try {
    return JSON.parse(json) as Field[];
  } catch {
    return undefined;
  }
}

/** Takes the static step away once the app has drawn a page over it: its ids and landmarks are the form's. */
export function removeFirstView() {
  document.getElementById('first-view')?.remove();
}
