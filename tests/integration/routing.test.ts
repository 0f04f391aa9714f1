import { describe, expect, it } from 'vitest';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, createStaff, createUnit, loginAs, reportForm } from './factories.js';

for (const engine of ENGINES) {
  describe(`routing rules and deadlines [${engine}]`, () => {
    it('routes by the first matching rule, queues what no rule matches, and simulates without filing', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const admin = await loginAs(app, await createStaff(db, 'admin'));
      const lighting = await createField(db);
      const power = await createField(db);
      const wardUnit = await createUnit(db, { areaCode: '24133', fieldCodes: [] });
      const powerCo = await createUnit(db, { areaCode: '66', fieldCodes: [] });
      const ruleIds: number[] = [];
      try {
        for (const rule of [
          { position: 10, name: 'Điện: cháy nổ trước', field_codes: [power], keywords: ['chay no', 'cháy'], unit_id: wardUnit, auto_assign: false },
          { position: 20, name: 'Điện lực toàn tỉnh', field_codes: [power], unit_id: powerCo },
          { position: 30, name: 'Chiếu sáng BMT', field_codes: [lighting], area_codes: ['643'], unit_id: wardUnit },
        ]) {
          const res = await admin.request('/api/admin/routing-rules', { json: rule });
          expect(res.status, await res.clone().text()).toBe(201);
          ruleIds.push((await res.json()).id);
        }
        const file = async (field: string, title: string, lat = 12.6667, lon = 108.0383) =>
          (await app.request('/api/reports', { method: 'POST', body: reportForm({ field, title, lat, lon }) })).json();
        const outage = await file(power, 'Mất điện cả khu phố từ sáng');
        expect(outage).toMatchObject({ status: 'assigned', unit: { id: powerCo } });
        const fire = await file(power, 'Trụ điện CHÁY NỔ giữa đường');
        expect(fire.status).toBe('received'); // matched a suggest-only rule: the dispatcher decides
        const lamp = await file(lighting, 'Đèn đường không sáng');
        expect(lamp).toMatchObject({ status: 'assigned', unit: { id: wardUnit } });
        const lampTuyHoa = await file(lighting, 'Đèn đường không sáng', 13.09, 109.29);
        expect(lampTuyHoa.status).toBe('received');
        expect(lampTuyHoa.unit).toBeUndefined();
        const row = await db.selectFrom('reports').select('rule_id').where('code', '=', outage.code).executeTakeFirstOrThrow();
        expect(row.rule_id).toBe(ruleIds[1]);

        const sim = await (await admin.request(`/api/admin/routing/simulate?lat=12.6667&lon=108.0383&field=${power}&text=${encodeURIComponent('chay no')}`)).json();
        expect(sim).toMatchObject({ ward: { code: '24133' }, rule: { id: ruleIds[0] }, unit: { id: wardUnit }, auto_assign: false, outcome: 'dispatcher_queue' });
        const bad = await admin.request('/api/admin/routing-rules', { json: { position: 1, name: 'Bad', area_codes: ['99999'], unit_id: wardUnit } });
        expect(bad.status).toBe(400);
        expect((await bad.json()).error.fields['area_codes.0']).toMatch(/Unknown area/);
      } finally {
        for (const id of ruleIds) await admin.request(`/api/admin/routing-rules/${id}`, { method: 'DELETE' });
      }
    });

    it('counts the deadline in working days across a weekend and a public holiday', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const admin = await loginAs(app, await createStaff(db, 'admin'));
      const field = await createField(db, { deadline_days: 3 });
      const holidays = ['2031-04-30', '2031-05-01'];
      try {
        for (const day of holidays) expect((await admin.request('/api/admin/calendar', { method: 'PUT', json: { day, kind: 'holiday', name: 'Lễ' } })).status).toBe(200);
        const { dueDate, invalidateCalendar } = await import('../../server/services/calendar.js');
        invalidateCalendar(db);
        // Tue 29 Apr 2031 09:00 (+07): Wed 30/4 and Thu 1/5 are holidays, then Fri, (weekend), Mon, Tue.
        const due = await dueDate(db, new Date('2031-04-29T02:00:00Z'), 3);
        expect(due.toISOString()).toBe('2031-05-06T02:00:00.000Z');
        const res = await app.request('/api/reports', { method: 'POST', body: reportForm({ field }) });
        const body = await res.json();
        expect(new Date(body.due_at).getTime()).toBeGreaterThan(Date.now());
        const bad = await admin.request('/api/admin/calendar', { method: 'PUT', json: { day: '2031-02-30', kind: 'holiday', name: 'X' } });
        expect(bad.status).toBe(400);
      } finally {
        for (const day of holidays) await admin.request(`/api/admin/calendar/${day}`, { method: 'DELETE' });
      }
    });
  });
}
