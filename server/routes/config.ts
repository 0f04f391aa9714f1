import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { provinceBbox, PROVINCE } from '../services/geography.js';
import { canDecodeHeic } from '../services/media/process.js';
import { CONTACT_NOTICE_VERSION } from '../services/reports.js';

/** Settings the dashboard needs at runtime, so one build serves every deployment. */
export const configRoutes = ({ db, config }: AppDeps) =>
  new Hono().get('/', async (c) =>
    c.json({
      mapStyleUrl: config.mapStyleUrl ?? null,
      province: { code: PROVINCE.code, name_vi: PROVINCE.nameVi, name_en: PROVINCE.nameEn, bbox: (await provinceBbox(db)) ?? null },
      // What the citizen form's contact-data notice says (Decree 13/2023/NĐ-CP).
      contact: { retention_months: config.retentionMonths, notice_version: CONTACT_NOTICE_VERSION },
      // Whether the photo picker may offer HEIC: without a decoder here, iPhones are better left to convert to JPEG themselves.
      media: { heic: canDecodeHeic() },
    }),
  );
