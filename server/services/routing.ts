import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { listRoutingRules, type RoutingRuleWithUnit } from '../db/routing.repo.js';
import { findDefaultUnit, type UnitRef } from '../db/units.repo.js';

export interface RoutingInput {
  fieldCode: string;
  wardId: number;
  districtId: number;
  provinceId: number;
  text: string;
}

export interface RoutingDecision {
  rule: { id: number; name: string } | null;
  unit: UnitRef | null;
  /** False when the matched rule only suggests a unit and the dispatcher decides. */
  autoAssign: boolean;
}

/** Lower case without tone marks, so "Đèn đường" matches the keyword "den duong". */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'd').toLowerCase();
}

export function ruleMatches(rule: Pick<RoutingRuleWithUnit, 'field_codes' | 'area_ids' | 'keywords'>, input: RoutingInput): boolean {
  if (rule.field_codes.length && !rule.field_codes.includes(input.fieldCode)) return false;
  if (rule.area_ids.length && ![input.wardId, input.districtId, input.provinceId].some((id) => rule.area_ids.includes(id))) return false;
  if (rule.keywords.length) {
    const text = foldText(input.text);
    if (!rule.keywords.some((k) => text.includes(foldText(k)))) return false;
  }
  return true;
}

/**
 * Decides who handles a new report. The first matching rule (by position)
 * wins; when rules exist and none matches, the report waits for the
 * dispatcher. A province with no rules yet falls back to the unit that covers
 * the place for that field (the ward People's Committee for ward fields).
 */
export async function routeReport(db: Kysely<Database>, input: RoutingInput): Promise<RoutingDecision> {
  const rules = await listRoutingRules(db, true);
  if (rules.length === 0) {
    const unit = await findDefaultUnit(db, input);
    return { rule: null, unit: unit ?? null, autoAssign: !!unit };
  }
  const rule = rules.find((r) => ruleMatches(r, input));
  if (!rule) return { rule: null, unit: null, autoAssign: false };
  return {
    rule: { id: rule.id, name: rule.name },
    unit: { id: rule.unit_id, code: rule.unit_code, name_vi: rule.unit_name_vi, name_en: rule.unit_name_en },
    autoAssign: rule.auto_assign,
  };
}
