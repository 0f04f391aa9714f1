import { html } from 'hono/html';
import type { AppDeps } from '../deps.js';
import { FIRST_VIEW_FIELDS_SLOT } from '../domain/first-view.js';
import { publicFields } from '../services/fields.js';

type PublicField = Awaited<ReturnType<typeof publicFields>>[number];

/**
 * index.html for "/" with the report form's field list written into its static first step: one plain
 * link per field (/?field=…, which the app opens with that field chosen), drawn before any script runs,
 * and the same list as JSON, which the form starts from instead of waiting for /api/fields.
 * The service worker keeps this page, so a repeat visit shows the list at once, offline too.
 * Without the database the page goes out as built: the app then loads the list itself.
 */
export async function withFirstViewFields(page: string, { db, logger }: AppDeps): Promise<string> {
  let fields: PublicField[];
  try {
    fields = await publicFields(db);
  } catch (error) {
    logger.warn({ err: error }, 'first view: no field list');
    return page;
  }
  const links = fields.map(
    (f) =>
      html`<a class="c-field-card" href="/?field=${encodeURIComponent(f.code)}" style="--c:${f.color}"
        ><span class="c-field-icon"><svg class="c-glyph" width="30" height="30" aria-hidden="true" focusable="false"><use href="#fv-icon-${f.icon}" /></svg></span
        ><span class="c-field-name">${f.name_vi}</span></a
      >`,
  );
  // In a <script> element only "</script" ends it: escaping "<" keeps any field name from doing so.
  const json = JSON.stringify(fields).replace(/</g, '\\u003c');
  const filled = `${(await html`${links}`).toString()}<script type="application/json" id="first-view-fields">${json}</script>`;
  return page.replace(FIRST_VIEW_FIELDS_SLOT, () => filled);
}
