import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { listActiveFields } from '../../db/fields.repo.js';
import { DomainError } from '../../errors.js';
import type { MediaStorage } from '../media/storage.js';
import { lookupPlanning } from '../planning.js';
import { publicReport } from '../reports.js';
import { RuleBasedBackend } from './rule-based.js';
import type { AssistantBackend, AssistantContext, AssistantInput, Lang, Reply } from './types.js';

export { suggestField } from './classifier.js';
export type { AssistantBackend, AssistantContext, AssistantInput, Reply } from './types.js';

export interface AssistantDeps {
  db: Kysely<Database>;
  storage: MediaStorage;
  backend?: AssistantBackend;
}

/** The read-only, public lookups the assistant may make. */
export function assistantContext(deps: AssistantDeps, lang: Lang): AssistantContext {
  return {
    async findPublicStatus(code) {
      try {
        // The public tracking view, the same one /r/CODE shows: no contact details exist in it.
        const r = await publicReport({ db: deps.db, storage: deps.storage }, code, lang);
        const last = [...r.timeline].reverse().find((e) => e.note);
        return {
          code: r.code, title: r.title, status: r.status, field: r.field,
          unit: r.unit ? { name_vi: r.unit.name_vi, name_en: r.unit.name_en } : null,
          due_at: r.due_at, last_note: last?.note ?? null,
        };
      } catch (error) {
        if (error instanceof DomainError && error.status === 404) return undefined;
        throw error;
      }
    },
    async listFields() {
      const rows = await listActiveFields(deps.db);
      return rows.map((f) => ({ code: f.code, name_vi: f.name_vi, name_en: f.name_en, deadline_days: f.deadline_days }));
    },
    async planningLookup(lat, lon) {
      let found: Awaited<ReturnType<typeof lookupPlanning>>;
      try {
        found = await lookupPlanning(deps.db, lon, lat);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'outside_region') {
          return { summary_vi: 'Vị trí này nằm ngoài tỉnh Đắk Lắk.', summary_en: 'This place is outside Đắk Lắk province.' };
        }
        throw error;
      }
      const where = { vi: found.ward.name_vi, en: found.ward.name_en };
      if (!found.zones.length) {
        return { summary_vi: `${where.vi}: ${found.message?.vi ?? ''}`.trim(), summary_en: `${where.en}: ${found.message?.en ?? ''}`.trim() };
      }
      const z = found.zones[0];
      const limits = (lang: 'vi' | 'en') => {
        const l = z.limits;
        const parts = [
          l.max_floors != null ? (lang === 'vi' ? `tối đa ${l.max_floors} tầng` : `at most ${l.max_floors} floors`) : '',
          l.max_height_m != null ? (lang === 'vi' ? `cao tối đa ${l.max_height_m} m` : `height at most ${l.max_height_m} m`) : '',
          l.density_pct != null ? (lang === 'vi' ? `mật độ xây dựng ${l.density_pct}%` : `site coverage ${l.density_pct}%`) : '',
        ].filter(Boolean);
        return parts.length ? ` (${parts.join(', ')})` : '';
      };
      const demo = found.demo ? { vi: ' [Dữ liệu minh họa, không phải quy hoạch thật.]', en: ' [Demo data, not a real plan.]' } : { vi: '', en: '' };
      return {
        summary_vi: `${where.vi}: theo "${z.plan.name}", vị trí này là ${z.land_use.name}${limits('vi')}.${demo.vi} ${found.disclaimer.vi}`,
        summary_en: `${where.en}: under "${z.plan.name}", this place is ${z.land_use.name_en ?? z.land_use.name}${limits('en')}.${demo.en} ${found.disclaimer.en}`,
      };
    },
  };
}

const defaultBackend = new RuleBasedBackend();

/** Answers one chat message; everything it needs travels in the input, so any server can answer the next one. */
export async function assistantReply(deps: AssistantDeps, input: AssistantInput): Promise<Reply> {
  return (deps.backend ?? defaultBackend).reply(input, assistantContext(deps, input.lang ?? 'vi'));
}
