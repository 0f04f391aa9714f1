import { describe, expect, it } from 'vitest';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, postReport, reportForm } from './factories.js';

/**
 * Issue #16, item 6: what the server writes for people follows the reader's
 * language, Accept-Language (the dashboard sends the language chosen in the
 * app there), Vietnamese when none is named; no English in a Vietnamese
 * sentence and no Vietnamese in an English one, except text people wrote.
 */
const ENGLISH_IN_VI = /\b(must|is required|invalid|characters|number|not)\b/;
const VIETNAMESE_MARKS = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;

for (const engine of ENGINES) {
  describe(`server text in the reader's language [${engine}]`, () => {
    async function setup() {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      return { db, app, field };
    }

    it('answers the same bad submission in Vietnamese (vi, or no language named) and in English (en)', async () => {
      const { db, app, field } = await setup();
      const bad = () => reportForm({ field, title: 'Ổ', description: 'ngắn', phone: '12345', lat: 91 as unknown as number });
      const vi = await postReport(app, bad(), { 'Accept-Language': 'vi' });
      const en = await postReport(app, bad(), { 'Accept-Language': 'en-US,en;q=0.9,vi;q=0.5' });
      const unnamed = await postReport(app, bad());
      expect([vi.status, en.status, unnamed.status]).toEqual([400, 400, 400]);
      const viError = (await vi.json()).error;
      const enError = (await en.json()).error;
      expect(viError).toEqual({
        code: 'validation_failed',
        message: 'Một số ô chưa hợp lệ',
        fields: {
          title: 'Tiêu đề cần ít nhất 5 ký tự',
          description: 'Nội dung cần ít nhất 10 ký tự',
          lat: 'Vĩ độ phải nằm trong khoảng -90 đến 90',
          phone: 'Số điện thoại không hợp lệ; hãy nhập số Việt Nam, ví dụ 0912345678',
        },
      });
      expect(enError).toEqual({
        code: 'validation_failed',
        message: 'Some fields are invalid',
        fields: {
          title: 'title must be at least 5 characters',
          description: 'description must be at least 10 characters',
          lat: 'lat must be between -90 and 90',
          phone: 'phone must be a Vietnamese phone number, e.g. 0912345678',
        },
      });
      expect((await unnamed.json()).error).toEqual(viError);
      for (const text of [viError.message, ...Object.values(viError.fields as Record<string, string>)]) expect(text).not.toMatch(ENGLISH_IN_VI);
      for (const text of [enError.message, ...Object.values(enError.fields as Record<string, string>)]) expect(text).not.toMatch(VIETNAMESE_MARKS);
      expect(vi.headers.get('vary')).toContain('Accept-Language');
      // Nothing was written.
      const count = await db.selectFrom('reports').select((eb) => eb.fn.countAll<number>().as('n')).where('field_code', '=', field).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(0);
    });

    it('names a missing input and a pin outside the province in the reader’s language', async () => {
      const { app, field } = await setup();
      const form = reportForm({ field });
      form.delete('title');
      const vi = (await (await postReport(app, form, { 'Accept-Language': 'vi-VN' })).json()).error;
      expect(vi.fields.title).toBe('Cần nhập ô “Tiêu đề”');
      const outside = (lang: string) => postReport(app, reportForm({ field, lat: 21.0285, lon: 105.8542 }), { 'Accept-Language': lang });
      const [viOut, enOut] = [await outside('vi'), await outside('en')];
      expect([viOut.status, enOut.status]).toEqual([422, 422]);
      expect((await viOut.json()).error.message).toBe('Vị trí đã ghim nằm ngoài tỉnh Đắk Lắk. Hãy di chuyển ghim đến nơi xảy ra sự việc.');
      expect((await enOut.json()).error.message).toBe('The pin is outside Đắk Lắk province. Move it to where the problem is.');
    });

    it('answers rating and tracking errors in the reader’s language', async () => {
      const { app } = await setup();
      const rate = (lang: string) => app.request('/api/reports/ABCD2345/rating', {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept-Language': lang }, body: JSON.stringify({ manage_token: 'x', satisfied: 'yes' }),
      });
      expect((await (await rate('vi')).json()).error.fields).toEqual({ manage_token: 'Mã quản lý không hợp lệ', satisfied: 'Giá trị của ô “Mức hài lòng” không hợp lệ' });
      expect((await (await rate('en')).json()).error.fields).toEqual({ manage_token: 'manage_token is invalid', satisfied: 'satisfied must be true or false' });
      const missing = async (lang: string) => (await (await app.request('/api/reports/ABCD2345', { headers: { 'Accept-Language': lang } })).json()).error.message;
      expect(await missing('vi')).toBe('Không tìm thấy phản ánh');
      expect(await missing('en')).toBe('Report not found');
    });

    it('writes timeline labels, and the notes the system wrote, in the reader’s language; notes people wrote as written', async () => {
      const { db, app, field } = await setup();
      const created = await postReport(app, reportForm({ field }));
      expect(created.status).toBe(201);
      const { code } = await created.json();
      const report = await db.selectFrom('reports').select('id').where('code', '=', code).executeTakeFirstOrThrow();
      const at = (s: number) => new Date(Date.now() + s * 1000);
      await db.insertInto('report_events').values([
        { report_id: report.id, type: 'progress', public: true, note: 'Đã rào chắn ổ gà', created_at: at(1) },
        { report_id: report.id, type: 'closed', public: true, note: 'Tự động kết thúc sau 7 ngày không có đánh giá', created_at: at(2) },
      ]).execute();
      const timeline = async (lang: string) => (await (await app.request(`/api/reports/${code}`, { headers: { 'Accept-Language': lang } })).json()).timeline as { type: string; label: string; note: string | null }[];
      const vi = await timeline('vi');
      const en = await timeline('en');
      expect(vi.map((e) => [e.type, e.label, e.note])).toEqual([
        ['received', 'Đã tiếp nhận phản ánh', null],
        ['progress', 'Cập nhật tiến độ', 'Đã rào chắn ổ gà'],
        ['closed', 'Đã đóng', 'Tự động kết thúc sau 7 ngày không có đánh giá'],
      ]);
      expect(en.map((e) => [e.type, e.label, e.note])).toEqual([
        ['received', 'Report received', null],
        // What a person wrote stays as written.
        ['progress', 'Progress update', 'Đã rào chắn ổ gà'],
        ['closed', 'Closed', 'Closed automatically after 7 days without a rating'],
      ]);
    });

    it('answers the assistant in the reader’s language when the message names none', async () => {
      const { app } = await setup();
      const ask = async (lang?: string) => {
        const res = await app.request('/api/assistant', {
          method: 'POST', headers: { 'Content-Type': 'application/json', ...(lang ? { 'Accept-Language': lang } : {}) }, body: JSON.stringify({ message: 'ZZZZ2345' }),
        });
        expect(res.status).toBe(200);
        return res.json() as Promise<{ reply: string; lang: string; suggestions: string[] }>;
      };
      const vi = await ask('vi');
      const en = await ask('en');
      expect(vi.lang).toBe('vi');
      expect(vi.reply).toMatch(/^Tôi không tìm thấy phản ánh nào có mã ZZZZ2345/);
      expect(en.lang).toBe('en');
      expect(en.reply).toMatch(/^I could not find a report with the code ZZZZ2345/);
      expect(en.suggestions.join(' ')).not.toMatch(VIETNAMESE_MARKS);
      expect((await ask()).lang).toBe('vi');
      // The app's explicit choice in the body still wins over the header.
      const chosen = await app.request('/api/assistant', {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept-Language': 'vi' }, body: JSON.stringify({ message: 'ZZZZ2345', lang: 'en' }),
      });
      expect((await chosen.json()).lang).toBe('en');
    });
  });
}
