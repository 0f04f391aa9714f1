/**
 * What the built index.html and the server agree on for the report form's static first step (issue 16):
 * the step is in dashboard/index.html, drawn before the app's code runs; the build writes in its strings
 * (vite.config.ts) and the server its field list (server/routes/first-view.ts).
 */

/** Where the server writes the field list into index.html, on "/". */
export const FIRST_VIEW_FIELDS_SLOT = '<!--first-view-fields-->';

/**
 * The page's one inline script, in its head: it runs before the step is parsed and hides it on every other
 * page, and for someone who chose English on this device (the step is the form's, in Vietnamese), so that
 * the app draws those itself rather than showing the wrong page or language first. Inline, because a file
 * would hold up the page for one more request; the CSP allows it by its hash (server/routes/security.ts).
 * Storage can be blocked: the app then starts in Vietnamese too.
 */
export const FIRST_VIEW_SCRIPT =
  "try{var lang=localStorage.getItem('civic-ops.lang')}catch(e){}" +
  "if(location.pathname!=='/'||lang==='en')document.documentElement.classList.add('fv-off')";
