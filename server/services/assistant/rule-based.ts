import { FIELD_CODES, suggestField } from './classifier.js';
import { detectIntent, isValidCode, says } from './intents.js';
import { messageLang } from './text.js';
import type { AssistantBackend, AssistantContext, AssistantInput, AssistantState, FieldInfo, Intent, Lang, Reply } from './types.js';

const STATUS_NAMES: Record<string, [string, string]> = {
  received: ['Đã tiếp nhận', 'Received'],
  verified: ['Đã xác minh', 'Verified'],
  reopened: ['Đã mở lại', 'Reopened'],
  merged: ['Đã gộp vào phản ánh khác', 'Merged into another report'],
  assigned: ['Đã chuyển đơn vị xử lý', 'Assigned to a unit'],
  in_progress: ['Đang xử lý', 'In progress'],
  resolved: ['Đã xử lý xong', 'Resolved'],
  closed: ['Đã đóng', 'Closed'],
  rejected: ['Không thụ lý', 'Rejected'],
  withdrawn: ['Đã rút lại', 'Withdrawn'],
  duplicate: ['Trùng phản ánh khác', 'Duplicate'],
};

const TITLE_MAX = 150;
const DESCRIPTION_MAX = 4000;

/** Vietnamese or English text, chosen by the reply's language. */
const pick = (lang: Lang, vi: string, en: string) => (lang === 'vi' ? vi : en);

function formatDate(iso: string, lang: Lang): string {
  const d = new Date(iso);
  // Đắk Lắk is UTC+7 all year.
  const local = new Date(d.getTime() + 7 * 3600_000);
  const dd = String(local.getUTCDate()).padStart(2, '0');
  const mm = String(local.getUTCMonth() + 1).padStart(2, '0');
  return lang === 'vi' ? `${dd}/${mm}/${local.getUTCFullYear()}` : `${local.getUTCFullYear()}-${mm}-${dd}`;
}

/** The pre-filled form; the person still checks it and presses send. */
export function formUrl(state: AssistantState): string {
  const q = new URLSearchParams();
  if (state.field) q.set('field', state.field);
  if (state.title) q.set('title', state.title);
  if (state.description) q.set('description', state.description);
  if (state.lat !== undefined && state.lon !== undefined) {
    q.set('lat', state.lat.toFixed(6));
    q.set('lon', state.lon.toFixed(6));
  }
  const s = q.toString();
  return s ? `/?${s}` : '/';
}

function clip(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
}

/**
 * The deterministic assistant: intent rules, keyword and fuzzy matching,
 * and a small FAQ. It says what it does not know and never files anything
 * itself: a guided filing ends with a link to the real form, pre-filled.
 */
export class RuleBasedBackend implements AssistantBackend {
  readonly name = 'rules';

  async reply(input: AssistantInput, ctx: AssistantContext): Promise<Reply> {
    // The message's own language wins (an English question on the Vietnamese page gets English); `lang` decides the rest.
    const lang = messageLang(input.message) ?? input.lang ?? 'vi';
    const state = input.state ?? {};
    const { intent, code } = detectIntent(input.message);

    // An emergency or a tracking code interrupts anything, a guided filing included.
    if (intent === 'emergency') return this.emergency(lang, state);
    if (intent === 'status') return this.status(lang, code, ctx);
    if (state.flow === 'file' && state.step && state.step !== 'done') {
      if (intent === 'cancel') return this.say(lang, 'cancel', pick(lang, 'Đã hủy. Bạn cần giúp gì khác?', 'Cancelled. Anything else I can help with?'), {}, this.menu(lang));
      return this.continueFiling(input, lang, state, ctx);
    }
    switch (intent) {
      case 'planning':
        return this.planning(lang, input, ctx);
      case 'faq_time':
        return this.handlingTime(lang, input.message, ctx);
      case 'faq_rating':
        return this.say(lang, 'faq_rating', pick(lang,
          'Khi phản ánh được xử lý xong, bạn mở đường liên kết riêng (nhận được lúc gửi) để đánh giá: hài lòng hoặc không hài lòng, kèm góp ý nếu muốn. Nếu không hài lòng trong thời hạn, phản ánh có thể được mở lại để xử lý tiếp.',
          'When your report is resolved, open the private link you got when you filed it and say whether you are satisfied, with a comment if you like. If you are not satisfied in time, the report can be reopened.'),
          {}, this.menu(lang));
      case 'faq_how':
        return this.say(lang, 'faq_how', pick(lang,
          'Gửi phản ánh gồm 5 bước: chọn lĩnh vực, đánh dấu vị trí trên bản đồ, viết tiêu đề và mô tả, thêm ảnh (không bắt buộc), để lại liên hệ (không bắt buộc). Bạn nhận mã theo dõi 8 ký tự. Không mất phí. Tôi có thể hướng dẫn bạn từng bước: hãy kể vấn đề bạn gặp.',
          'Filing takes 5 steps: pick the field, pin the place on the map, write a title and description, add photos (optional) and contact details (optional). You get an 8-character tracking code. It is free. I can guide you: tell me what the problem is.'),
          { flow: 'file', step: 'problem' }, [], { type: 'open_form', url: '/' });
      case 'file':
        return this.startFiling(input, lang, ctx);
      case 'greeting':
        return this.say(lang, 'greeting', pick(lang,
          'Xin chào! Tôi là trợ lý phản ánh hiện trường. Tôi có thể giúp bạn gửi phản ánh, tra cứu phản ánh theo mã, hoặc trả lời câu hỏi thường gặp.',
          'Hello! I am the field-report assistant. I can help you file a report, look one up by its code, or answer common questions.'),
          {}, this.menu(lang));
      case 'cancel':
        return this.say(lang, 'cancel', pick(lang, 'Vâng. Bạn cần giúp gì khác?', 'All right. Anything else?'), {}, this.menu(lang));
      default: {
        // A message that names a problem ("đèn đường hỏng") is the start of a filing even without the word "phản ánh".
        if (suggestField(input.message)[0]?.score >= 3) return this.startFiling(input, lang, ctx);
        return this.say(lang, 'fallback', pick(lang,
          'Xin lỗi, tôi chưa hiểu ý bạn. Tôi có thể: giúp gửi phản ánh, tra cứu phản ánh theo mã 8 ký tự, cho biết thời hạn xử lý. Bạn cũng có thể tự gửi tại trang "Gửi phản ánh". Nếu khẩn cấp, hãy gọi 113 (công an), 114 (cứu hỏa), 115 (cấp cứu).',
          'Sorry, I did not understand. I can help you file a report, look up a report by its 8-character code, or tell you how long handling takes. You can also file directly on the "Report a problem" page. In an emergency, call 113 (police), 114 (fire), 115 (ambulance).'),
          {}, this.menu(lang), { type: 'open_form', url: '/' });
      }
    }
  }

  private say(lang: Lang, intent: Intent, reply: string, state: AssistantState, suggestions: string[], action?: Reply['action']): Reply {
    return { reply, intent, lang, suggestions, state, ...(action ? { action } : {}) };
  }

  private menu(lang: Lang): string[] {
    return lang === 'vi'
      ? ['Tôi muốn gửi phản ánh', 'Tra cứu phản ánh', 'Xử lý mất bao lâu?', 'Số điện thoại khẩn cấp']
      : ['I want to report a problem', 'Look up a report', 'How long does handling take?', 'Emergency numbers'];
  }

  private emergency(lang: Lang, state: AssistantState): Reply {
    return this.say(lang, 'emergency', pick(lang,
      'Nếu có người đang gặp nguy hiểm, hãy GỌI NGAY: 113 (công an), 114 (cứu nạn, cứu hỏa), 115 (cấp cứu y tế). Đừng gửi phản ánh cho việc khẩn cấp: phản ánh được xử lý trong nhiều ngày, không phải vài phút.',
      'If anyone is in danger, CALL NOW: 113 (police), 114 (fire and rescue), 115 (ambulance). Do not file a report for an emergency: reports are handled over days, not minutes.'),
      state, lang === 'vi' ? ['Gọi 113', 'Gọi 114', 'Gọi 115'] : ['Call 113', 'Call 114', 'Call 115'], { type: 'call', number: '113' });
  }

  private async status(lang: Lang, code: string | undefined, ctx: AssistantContext): Promise<Reply> {
    if (!code) {
      return this.say(lang, 'status', pick(lang,
        'Bạn cho tôi mã phản ánh 8 ký tự (in trên trang xác nhận khi gửi), ví dụ: "phản ánh 7KQ2MZ4P đến đâu rồi?"',
        'Please give me the 8-character tracking code you got when filing, e.g. "status of 7KQ2MZ4P".'), {}, []);
    }
    const found = isValidCode(code) ? await ctx.findPublicStatus(code) : undefined;
    if (!found) {
      return this.say(lang, 'status', pick(lang,
        `Tôi không tìm thấy phản ánh nào có mã ${code}. Hãy kiểm tra lại mã (8 ký tự, không có số 0, 1 và chữ O, I, L). Nếu bạn vừa gửi ngoại tuyến, phản ánh có thể chưa đến máy chủ.`,
        `I could not find a report with the code ${code}. Please check it (8 characters; codes never use 0, 1, O, I or L). If you filed it offline, it may not have reached the server yet.`),
        {}, this.menu(lang));
    }
    const statusName = STATUS_NAMES[found.status]?.[lang === 'vi' ? 0 : 1] ?? found.status;
    const fieldName = lang === 'vi' ? found.field.name_vi : found.field.name_en;
    const parts = [
      pick(lang, `Phản ánh ${found.code} "${found.title}" (${fieldName}): ${statusName}.`, `Report ${found.code} "${found.title}" (${fieldName}): ${statusName}.`),
      found.unit
        ? pick(lang, `Đơn vị xử lý: ${found.unit.name_vi ?? found.unit.name_en}.`, `Handled by: ${found.unit.name_en ?? found.unit.name_vi}.`)
        : pick(lang, 'Chưa giao cho đơn vị nào.', 'Not yet assigned to a unit.'),
    ];
    if (found.due_at) parts.push(pick(lang, `Hạn xử lý: ${formatDate(found.due_at, lang)}.`, `Due: ${formatDate(found.due_at, lang)}.`));
    if (found.last_note) parts.push(pick(lang, `Ghi chú mới nhất: "${found.last_note}"`, `Latest public note: "${found.last_note}"`));
    return this.say(lang, 'status', parts.join(' '), {}, [], { type: 'open_report', url: `/r/${found.code}` });
  }

  private async planning(lang: Lang, input: AssistantInput, ctx: AssistantContext): Promise<Reply> {
    if (!ctx.planningLookup) {
      return this.say(lang, 'planning', pick(lang,
        'Tra cứu quy hoạch qua trợ lý chưa sẵn sàng. Bạn có thể xem trang Quy hoạch, hoặc hỏi UBND phường/xã nơi có đất.',
        'Planning lookup through the assistant is not available yet. You can try the Planning page, or ask the ward or commune People\'s Committee.'),
        {}, this.menu(lang), { type: 'open_planning', url: '/planning' });
    }
    if (!input.location) {
      return this.say(lang, 'planning', pick(lang, 'Bạn muốn xem quy hoạch ở đâu? Hãy chia sẻ vị trí của bạn.', 'Where do you want to look up planning? Please share your location.'),
        {}, [], { type: 'ask_location' });
    }
    const found = await ctx.planningLookup(input.location.lat, input.location.lon);
    const url = `/planning?lat=${input.location.lat.toFixed(6)}&lon=${input.location.lon.toFixed(6)}`;
    if (!found) {
      return this.say(lang, 'planning', pick(lang, 'Tôi không có dữ liệu quy hoạch cho vị trí này.', 'I have no planning data for this place.'), {}, [], { type: 'open_planning', url });
    }
    return this.say(lang, 'planning', lang === 'vi' ? found.summary_vi : found.summary_en, {}, [], { type: 'open_planning', url });
  }

  private async handlingTime(lang: Lang, message: string, ctx: AssistantContext): Promise<Reply> {
    const fields = await ctx.listFields();
    const name = (f: FieldInfo) => (lang === 'vi' ? f.name_vi : f.name_en);
    const days = (n: number) => pick(lang, `${n} ngày làm việc`, `${n} working days`);
    const asked = suggestField(message).find((s) => fields.some((f) => f.code === s.field) && s.score >= 3);
    const field = asked && fields.find((f) => f.code === asked.field);
    if (field) {
      return this.say(lang, 'faq_time', pick(lang,
        `Phản ánh về ${name(field)} được xử lý trong ${days(field.deadline_days)} kể từ khi tiếp nhận. Hạn cụ thể hiện trên trang theo dõi của từng phản ánh.`,
        `${name(field)} reports are handled within ${days(field.deadline_days)} of being received. Each report's tracking page shows its exact due date.`),
        {}, this.menu(lang));
    }
    const list = [...fields].sort((a, b) => a.deadline_days - b.deadline_days).map((f) => `${name(f)}: ${days(f.deadline_days)}`).join('; ');
    return this.say(lang, 'faq_time', pick(lang,
      `Thời hạn xử lý tùy lĩnh vực, tính từ khi tiếp nhận: ${list}.`,
      `Handling time depends on the field, counted from receipt: ${list}.`),
      {}, this.menu(lang));
  }

  /** First turn of a guided filing: with a problem named, suggest its field; otherwise ask. */
  private async startFiling(input: AssistantInput, lang: Lang, ctx: AssistantContext): Promise<Reply> {
    const top = suggestField(input.message)[0];
    if (!top || top.score < 2) {
      return this.say(lang, 'file', pick(lang,
        'Tôi sẽ giúp bạn gửi phản ánh. Bạn gặp vấn đề gì? Hãy mô tả ngắn gọn, ví dụ "đèn đường hỏng trước nhà" hoặc "rác để lâu không thu gom".',
        'I will help you file a report. What is the problem? Describe it briefly, e.g. "street light broken outside my house" or "garbage not collected".'),
        { flow: 'file', step: 'problem' }, []);
    }
    return this.proposeField(input, lang, { flow: 'file' }, input.message, ctx);
  }

  private async proposeField(input: AssistantInput, lang: Lang, state: AssistantState, problem: string, ctx: AssistantContext): Promise<Reply> {
    const ranked = suggestField(problem);
    const fields = await ctx.listFields();
    const known = ranked.filter((r) => fields.some((f) => f.code === r.field));
    if (!known.length) {
      return this.say(lang, 'file', pick(lang,
        'Tôi chưa xác định được lĩnh vực. Bạn mô tả rõ hơn được không? Ví dụ: ổ gà, đèn đường, rác, mất nước, mất điện, lấn chiếm vỉa hè, tiếng ồn, đất đai, cây xanh, an ninh, thái độ cán bộ.',
        'I could not tell which field this is. Could you say more? E.g. pothole, street light, garbage, no water, power cut, sidewalk encroachment, noise, land, trees, safety, official conduct.'),
        { flow: 'file', step: 'problem' }, []);
    }
    const field = fields.find((f) => f.code === known[0].field)!;
    const name = lang === 'vi' ? field.name_vi : field.name_en;
    const next: AssistantState = { flow: 'file', step: 'location', field: field.code, title: clip(problem, TITLE_MAX) };
    if (input.location) return this.askDetails(lang, { ...next, lat: input.location.lat, lon: input.location.lon }, name);
    const others = known.slice(1, 3).map((r) => fields.find((f) => f.code === r.field)!).map((f) => (lang === 'vi' ? f.name_vi : f.name_en));
    return this.say(lang, 'file', pick(lang,
      `Có vẻ đây là lĩnh vực "${name}"${others.length ? ` (hoặc: ${others.join(', ')})` : ''}. Vấn đề ở đâu? Hãy bấm "Dùng vị trí của tôi" hoặc trả lời "bỏ qua" để chọn trên bản đồ sau.`,
      `This looks like "${name}"${others.length ? ` (or: ${others.join(', ')})` : ''}. Where is it? Tap "Use my location", or answer "skip" to pin it on the map later.`),
      next, lang === 'vi' ? ['Dùng vị trí của tôi', 'Bỏ qua'] : ['Use my location', 'Skip'], { type: 'ask_location' });
  }

  private askDetails(lang: Lang, state: AssistantState, fieldName: string): Reply {
    return this.say(lang, 'file', pick(lang,
      `Đã ghi nhận vị trí cho phản ánh "${fieldName}". Bạn mô tả thêm chi tiết: cụ thể ra sao, từ khi nào, ảnh hưởng thế nào?`,
      `Location noted for the "${fieldName}" report. Please add details: what exactly, since when, how it affects people?`),
      { ...state, step: 'details' }, []);
  }

  private async continueFiling(input: AssistantInput, lang: Lang, state: AssistantState, ctx: AssistantContext): Promise<Reply> {
    const fields = await ctx.listFields();
    const fieldName = (code?: string) => {
      const f = fields.find((x) => x.code === code);
      return f ? (lang === 'vi' ? f.name_vi : f.name_en) : '';
    };
    switch (state.step) {
      case 'problem':
        return this.proposeField(input, lang, state, input.message, ctx);
      case 'location': {
        // Naming another field ("không, đây là cây xanh") changes the suggestion.
        const retarget = suggestField(input.message)[0];
        const field = retarget && retarget.score >= 3 && FIELD_CODES.includes(retarget.field) && retarget.field !== state.field ? retarget.field : state.field;
        const next = { ...state, field };
        if (input.location) return this.askDetails(lang, { ...next, lat: input.location.lat, lon: input.location.lon }, fieldName(field));
        if (says(input.message, 'cancel') || /\b(skip|bo qua|sau|later)\b/.test(input.message.toLowerCase().normalize('NFD').replace(/\p{M}/gu, ''))) {
          return this.askDetails(lang, next, fieldName(field));
        }
        if (field !== state.field) {
          return this.say(lang, 'file', pick(lang,
            `Đã đổi sang lĩnh vực "${fieldName(field)}". Vấn đề ở đâu? Bấm "Dùng vị trí của tôi" hoặc trả lời "bỏ qua".`,
            `Changed to "${fieldName(field)}". Where is it? Tap "Use my location" or answer "skip".`),
            next, lang === 'vi' ? ['Dùng vị trí của tôi', 'Bỏ qua'] : ['Use my location', 'Skip'], { type: 'ask_location' });
        }
        return this.say(lang, 'file', pick(lang,
          'Tôi cần vị trí để chuyển đúng nơi xử lý. Bấm "Dùng vị trí của tôi", hoặc trả lời "bỏ qua" để chọn trên bản đồ trong biểu mẫu.',
          'I need the place to route it to the right office. Tap "Use my location", or answer "skip" to pin it on the form\'s map.'),
          state, lang === 'vi' ? ['Dùng vị trí của tôi', 'Bỏ qua'] : ['Use my location', 'Skip'], { type: 'ask_location' });
      }
      case 'details': {
        const details = input.message.trim();
        // The problem as first told, then the details: together they pass the form's 10-character minimum.
        const description = clip([state.title, details].filter(Boolean).join('. '), DESCRIPTION_MAX);
        const done: AssistantState = { ...state, step: 'done', description };
        return this.say(lang, 'file', pick(lang,
          `Tôi đã điền sẵn biểu mẫu: lĩnh vực "${fieldName(state.field)}", tiêu đề, mô tả${state.lat !== undefined ? ' và vị trí' : ''}. Hãy kiểm tra, thêm ảnh nếu có${state.lat !== undefined ? '' : ', chọn vị trí trên bản đồ'} rồi bấm "Gửi phản ánh". Tôi không tự gửi thay bạn.`,
          `I have pre-filled the form: field "${fieldName(state.field)}", title, description${state.lat !== undefined ? ' and location' : ''}. Check it, add photos if you have any${state.lat !== undefined ? '' : ', pin the place on the map'}, then press "Send report". I never send it for you.`),
          done, [], { type: 'open_form', url: formUrl(done) });
      }
      default:
        return this.startFiling(input, lang, ctx);
    }
  }
}
