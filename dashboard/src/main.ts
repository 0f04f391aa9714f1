// maplibre's CSS comes with the components that create a map: a page without one, and the first view, do not wait for it.
import './app.css';
import { firstViewShown, removeFirstView } from './lib/citizen/first-view.js';

/**
 * Resolves once the browser has drawn what the page holds now. A module script runs as soon as the page is
 * parsed, in the same task, so without this wait the screen stays blank until the app's code has run.
 */
function afterPaint(): Promise<void> {
  // A hidden tab draws nothing, and its animation frames wait until it is shown.
  if (document.visibilityState === 'hidden') return Promise.resolve();
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
}

async function start() {
  if (firstViewShown()) {
    // On a cheap phone fetching and evaluating the app's code takes the main thread for the better part of a
    // second: index.html's static first step of the report form is drawn before any of it (issue 16).
    await afterPaint();
    // That step is the form's, so its page is fetched together with the app, not after it (App.svelte asks for
    // it again and gets the same module; a failure shows there).
    import('./routes/citizen/ReportFormPage.svelte').catch(() => undefined);
  } else {
    // Hidden on this page or in this language, it goes at once: its nav and heading would otherwise stand
    // in the document before the app's own.
    removeFirstView();
  }
  const [{ mount }, { default: App }] = await Promise.all([import('svelte'), import('./App.svelte')]);
  mount(App, { target: document.getElementById('app')! });
}

void start();
