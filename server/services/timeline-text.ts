import { msg, render, type Lang, type Message } from '../messages.js';

interface PublicEvent {
  type: string;
  note: string | null;
  unit_name_vi: string | null;
  unit_name_en: string | null;
}

/** What a public timeline event says happened, in the reader's language. */
export function eventLabel(e: PublicEvent, lang: Lang): string {
  const unit = lang === 'en' ? e.unit_name_en ?? e.unit_name_vi : e.unit_name_vi;
  switch (e.type) {
    case 'assigned':
      return render(lang, unit ? msg('timeline.assigned', { unit }) : msg('timeline.assigned_no_unit'));
    case 'transferred':
      return render(lang, unit ? msg('timeline.transferred', { unit }) : msg('timeline.assigned_no_unit'));
    case 'merged':
      return render(lang, msg('timeline.merged', { code: e.note ?? '' }));
    case 'received':
    case 'verified':
    case 'in_progress':
    case 'progress':
    case 'response':
    case 'resolved':
    case 'rated':
    case 'closed':
    case 'reopened':
    case 'rejected':
    case 'withdrawn':
    case 'external_update':
      return render(lang, msg(`timeline.${e.type}`));
    default:
      return render(lang, msg('timeline.other'));
  }
}

const RULE_PREFIX = 'Tự động chuyển theo quy tắc: ';

/**
 * The notes the system itself writes, stored in Vietnamese (rows older than
 * this catalogue hold the same sentences), recognised by event type and text.
 */
function systemNote(type: string, note: string): Message | undefined {
  if (type === 'rated' && note === 'Người dân hài lòng') return msg('timeline.note.satisfied');
  if (type === 'rated' && note === 'Người dân chưa hài lòng') return msg('timeline.note.not_satisfied');
  if (type === 'closed' && note === 'Tự động kết thúc sau 7 ngày không có đánh giá') return msg('timeline.note.auto_closed');
  if (type === 'assigned' && note === 'Tự động chuyển theo địa bàn và lĩnh vực') return msg('timeline.note.auto_assigned');
  if (type === 'assigned' && note.startsWith(RULE_PREFIX)) return msg('timeline.note.auto_assigned_rule', { rule: note.slice(RULE_PREFIX.length) });
  return undefined;
}

/** An event's note in the reader's language when the system wrote it; as written when a person did. */
export function eventNote(e: PublicEvent, lang: Lang): string | null {
  if (e.note === null) return null;
  const system = systemNote(e.type, e.note);
  return system ? render(lang, system) : e.note;
}
