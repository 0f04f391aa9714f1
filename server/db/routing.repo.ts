import type { Db } from './database.js';

export async function listRoutingRules(db: Db, onlyActive = false) {
  return db
    .selectFrom('routing_rules as r')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .$if(onlyActive, (qb) => qb.where('r.active', '=', true).where('u.active', '=', true))
    .select([
      'r.id', 'r.position', 'r.name', 'r.field_codes', 'r.area_ids', 'r.keywords', 'r.unit_id', 'r.auto_assign', 'r.active',
      'u.code as unit_code', 'u.name_vi as unit_name_vi', 'u.name_en as unit_name_en',
    ])
    .orderBy('r.position')
    .orderBy('r.id')
    .execute();
}

export type RoutingRuleWithUnit = Awaited<ReturnType<typeof listRoutingRules>>[number];

export interface RuleInput {
  position: number;
  name: string;
  field_codes: string[];
  area_ids: number[];
  keywords: string[];
  unit_id: number;
  auto_assign: boolean;
  active: boolean;
}

export async function insertRoutingRule(db: Db, rule: RuleInput) {
  return db.insertInto('routing_rules').values({ ...rule, updated_at: new Date() }).returning('id').executeTakeFirstOrThrow();
}

export async function updateRoutingRule(db: Db, id: number, rule: Partial<RuleInput>) {
  const r = await db.updateTable('routing_rules').set({ ...rule, updated_at: new Date() }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteRoutingRule(db: Db, id: number) {
  await db.updateTable('reports').set({ rule_id: null }).where('rule_id', '=', id).execute();
  const r = await db.deleteFrom('routing_rules').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

