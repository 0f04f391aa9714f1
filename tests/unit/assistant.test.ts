import { describe, expect, it } from 'vitest';
import { detectIntent, findCode } from '../../server/services/assistant/intents.js';
import { formUrl, RuleBasedBackend } from '../../server/services/assistant/rule-based.js';
import { detectLang } from '../../server/services/assistant/text.js';
import type { AssistantContext, AssistantInput, PublicStatus } from '../../server/services/assistant/types.js';

const REPORT: PublicStatus = {
  code: 'K7Q2MZ4P', title: 'Ổ gà trước chợ', status: 'in_progress',
  field: { code: 'road', name_vi: 'Giao thông, đường sá', name_en: 'Roads and traffic' },
  unit: { name_vi: 'Sở Xây dựng tỉnh Đắk Lắk', name_en: 'Dak Lak Department of Construction' },
  due_at: '2026-03-10T10:00:00.000Z', last_note: 'Đã cử đội vá đường',
};

const ctx: AssistantContext = {
  findPublicStatus: async (code) => (code === REPORT.code ? REPORT : undefined),
  listFields: async () => [
    { code: 'road', name_vi: 'Giao thông, đường sá', name_en: 'Roads and traffic', deadline_days: 10 },
    { code: 'lighting', name_vi: 'Chiếu sáng công cộng', name_en: 'Street lighting', deadline_days: 3 },
    { code: 'waste', name_vi: 'Rác thải, vệ sinh', name_en: 'Waste and sanitation', deadline_days: 3 },
    { code: 'power', name_vi: 'Điện lực', name_en: 'Electricity', deadline_days: 3 },
    { code: 'land', name_vi: 'Đất đai', name_en: 'Land', deadline_days: 20 },
  ],
};

const engine = new RuleBasedBackend();
const ask = (message: string, extra: Partial<AssistantInput> = {}) => engine.reply({ message, ...extra }, ctx);

describe('intent detection', () => {
  it.each([
    ['phản ánh K7Q2MZ4P đến đâu rồi?', 'status'],
    ['phan anh k7q2-mz4p den dau roi', 'status'],
    ['what is the status of K7Q2MZ4P', 'status'],
    ['tra cứu phản ánh', 'status'],
    ['tra cuu phan anh', 'status'],
    ['tôi muốn gửi phản ánh', 'file'],
    ['toi muon phan anh', 'file'],
    ['I want to report a problem', 'file'],
    ['quy hoạch ở đây là gì?', 'planning'],
    ['quy hoach o day la gi', 'planning'],
    ['what is the zoning here?', 'planning'],
    ['xử lý mất bao lâu?', 'faq_time'],
    ['xu ly mat bao lau', 'faq_time'],
    ['how long does it take?', 'faq_time'],
    ['làm sao để đánh giá kết quả?', 'faq_rating'],
    ['how does rating work', 'faq_rating'],
    ['hướng dẫn gửi phản ánh', 'faq_how'],
    ['how do I file?', 'faq_how'],
    ['nhà hàng xóm đang cháy lớn', 'emergency'],
    ['nha hang xom dang chay lon', 'emergency'],
    ['there is a fire next door', 'emergency'],
    ['số khẩn cấp là gì', 'emergency'],
    ['xin chào', 'greeting'],
    ['hello', 'greeting'],
    ['blah blah qwerty', 'fallback'],
  ])('%s → %s', (message, intent) => {
    expect(detectIntent(message).intent).toBe(intent);
  });

  it('finds codes as people type them, and not in ordinary words', () => {
    expect(findCode('ma cua toi la k7q2 mz4p')).toBe('K7Q2MZ4P');
    expect(findCode('phản ánh ABC12345 đến đâu rồi?')).toBe('ABC12345');
    expect(findCode('duong Tran Hung Dao bi hong')).toBeUndefined();
    expect(findCode('phan anh qmfbtsmp den dau roi')).toBe('QMFBTSMP');
    expect(findCode('qmfbtsmp')).toBeUndefined();
    expect(findCode('tracking progress please')).toBeUndefined();
  });

  it('tells the language apart, tone marks or not', () => {
    expect(detectLang('đèn đường hỏng')).toBe('vi');
    expect(detectLang('den duong hong')).toBe('vi');
    expect(detectLang('tieng on qua')).toBe('vi');
    expect(detectLang('the street light is broken')).toBe('en');
  });
});

describe('rule-based assistant', () => {
  it('looks up a report by code: status, unit, due date, last note, link', async () => {
    const r = await ask('phản ánh K7Q2MZ4P đến đâu rồi?');
    expect(r.intent).toBe('status');
    expect(r.reply).toContain('Đang xử lý');
    expect(r.reply).toContain('Sở Xây dựng');
    expect(r.reply).toContain('10/03/2026');
    expect(r.reply).toContain('Đã cử đội vá đường');
    expect(r.action).toEqual({ type: 'open_report', url: '/r/K7Q2MZ4P' });
    const en = await ask('status of K7Q2MZ4P please');
    expect(en.lang).toBe('en');
    expect(en.reply).toContain('In progress');
    expect(en.reply).toContain('2026-03-10');
  });

  it('says honestly when a code is unknown or cannot be a code', async () => {
    const unknown = await ask('phan anh ABCD2345 den dau roi');
    expect(unknown.intent).toBe('status');
    expect(unknown.reply).toContain('không tìm thấy');
    expect(unknown.action).toBeUndefined();
    const invalid = await ask('phản ánh ABC12345 đến đâu rồi?');
    expect(invalid.reply).toContain('ABC12345');
    expect(invalid.reply).toContain('không tìm thấy');
  });

  it('guides a filing in Vietnamese without tone marks and hands over a pre-filled form', async () => {
    const first = await ask('toi muon phan anh');
    expect(first.state).toEqual({ flow: 'file', step: 'problem' });
    const second = await ask('den duong truoc nha hong may ngay', { state: first.state });
    expect(second.state.field).toBe('lighting');
    expect(second.state.step).toBe('location');
    expect(second.action).toEqual({ type: 'ask_location' });
    const third = await ask('day', { state: second.state, location: { lat: 12.6667, lon: 108.0383 } });
    expect(third.state.step).toBe('details');
    const last = await ask('toi om, nguoi di duong de nga', { state: third.state });
    expect(last.action?.type).toBe('open_form');
    const url = new URL((last.action as { url: string }).url, 'http://x');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get('field')).toBe('lighting');
    expect(url.searchParams.get('title')).toBe('den duong truoc nha hong may ngay');
    expect(url.searchParams.get('description')).toBe('den duong truoc nha hong may ngay. toi om, nguoi di duong de nga');
    expect(url.searchParams.get('lat')).toBe('12.666700');
    expect(url.searchParams.get('lon')).toBe('108.038300');
    expect(last.reply).toContain('không tự gửi');
  });

  it('starts a filing straight from a problem in English, skipping the location', async () => {
    const first = await ask('there is garbage everywhere on my street');
    expect(first.intent).toBe('file');
    expect(first.lang).toBe('en');
    expect(first.state.field).toBe('waste');
    const skipped = await ask('skip', { state: first.state, lang: 'en' });
    expect(skipped.state.step).toBe('details');
    const done = await ask('Not collected for a week, it smells', { state: skipped.state, lang: 'en' });
    expect(done.action?.type).toBe('open_form');
    expect((done.action as { url: string }).url).not.toContain('lat=');
    expect(done.reply).toContain('pin the place');
  });

  it('lets the person change the suggested field, and cancel', async () => {
    const first = await ask('ổ gà lớn trước nhà');
    expect(first.state.field).toBe('road');
    const changed = await ask('không phải, là mất điện', { state: first.state });
    expect(changed.state.field).toBe('power');
    const cancelled = await ask('hủy', { state: changed.state });
    expect(cancelled.intent).toBe('cancel');
    expect(cancelled.state).toEqual({});
  });

  it('tells people to call in an emergency, even in the middle of a filing', async () => {
    const r = await ask('có tai nạn, người bị thương', { state: { flow: 'file', step: 'details', field: 'road' } });
    expect(r.intent).toBe('emergency');
    for (const n of ['113', '114', '115']) expect(r.reply).toContain(n);
    expect(r.reply).toContain('GỌI');
    const en = await ask('fire! help');
    expect(en.reply).toContain('CALL');
  });

  it('answers how long handling takes from the field deadlines', async () => {
    const all = await ask('xử lý mất bao lâu?');
    expect(all.reply).toContain('Đất đai: 20 ngày làm việc');
    expect(all.reply).toContain('Chiếu sáng công cộng: 3 ngày làm việc');
    const one = await ask('mat dien thi bao lau moi xu ly');
    expect(one.reply).toContain('Điện lực');
    expect(one.reply).toContain('3 ngày làm việc');
    const en = await ask('how long does a land complaint take?');
    expect(en.reply).toContain('Land');
    expect(en.reply).toContain('20 working days');
  });

  it('answers the FAQ on filing and rating in both languages', async () => {
    expect((await ask('hướng dẫn gửi phản ánh')).reply).toContain('mã theo dõi');
    expect((await ask('how do I file a report?')).reply).toContain('tracking code');
    expect((await ask('danh gia ket qua nhu the nao')).reply).toContain('hài lòng');
    expect((await ask('how does rating work?')).reply).toContain('satisfied');
  });

  it('is honest about planning lookup when it is not available here', async () => {
    const r = await ask('quy hoạch ở đây là gì?', { location: { lat: 12.67, lon: 108.04 } });
    expect(r.intent).toBe('planning');
    expect(r.reply).toContain('chưa sẵn sàng');
    expect(r.action).toEqual({ type: 'open_planning', url: '/planning' });
  });

  it('uses the planning lookup when there is one, asking for a place first', async () => {
    const withPlanning: AssistantContext = { ...ctx, planningLookup: async () => ({ summary_vi: 'Đất ở đô thị', summary_en: 'Urban residential' }) };
    const noPlace = await engine.reply({ message: 'quy hoach o day la gi' }, withPlanning);
    expect(noPlace.action).toEqual({ type: 'ask_location' });
    const r = await engine.reply({ message: 'what is the zoning here', location: { lat: 12.67, lon: 108.04 } }, withPlanning);
    expect(r.reply).toBe('Urban residential');
    expect(r.action?.type).toBe('open_planning');
  });

  it("answers in the message's language, using the client's language only when the text could be either", async () => {
    expect((await ask('what is the status of K7Q2MZ4P', { lang: 'vi' })).lang).toBe('en');
    expect((await ask('đèn đường hỏng', { lang: 'en' })).lang).toBe('vi');
    expect((await ask('den duong hong', { lang: 'en' })).lang).toBe('en');
    expect((await ask('den duong hong')).lang).toBe('vi');
  });

  it('falls back honestly, with ways to file or call', async () => {
    const r = await ask('blah blah qwerty');
    expect(r.intent).toBe('fallback');
    expect(r.reply).toContain('chưa hiểu');
    expect(r.reply).toContain('113');
    expect(r.suggestions.length).toBeGreaterThan(0);
    const en = await ask('what is the meaning of life', { lang: 'en' });
    expect(en.reply).toContain('did not understand');
  });
});

describe('helpers', () => {
  it('builds the pre-filled form URL', () => {
    expect(formUrl({ field: 'road', title: 'Ổ gà', description: 'Sâu & rộng', lat: 12.5, lon: 108 })).toBe(
      '/?field=road&title=%E1%BB%94+g%C3%A0&description=S%C3%A2u+%26+r%E1%BB%99ng&lat=12.500000&lon=108.000000',
    );
    expect(formUrl({})).toBe('/');
  });
});
