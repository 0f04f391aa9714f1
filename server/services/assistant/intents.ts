import { CODE_ALPHABET, CODE_LENGTH } from '../report-code.js';
import { hasPhrase, normalise } from './text.js';
import type { Intent } from './types.js';

/** Folded trigger phrases per intent; a message that names one of them has that intent. */
const TRIGGERS: Record<Exclude<Intent, 'fallback'>, string[]> = {
  emergency: [
    'cấp cứu', 'hỏa hoạn', 'cháy nhà', 'đang cháy', 'cháy lớn', 'đám cháy', 'bị thương', 'tai nạn', 'đuối nước', 'chết đuối', 'bất tỉnh', 'ngất xỉu',
    'đang bị cướp', 'đang đánh nhau', 'đâm chém', 'cứu với', 'cứu tôi', 'khẩn cấp', 'số khẩn cấp', 'gọi công an', 'gọi cứu hỏa', '113', '114', '115',
    'emergency', 'fire', 'ambulance', 'accident', 'injured', 'bleeding', 'drowning', 'help me', 'call the police',
  ],
  status: [
    'tra cứu', 'đến đâu', 'tới đâu', 'tình trạng', 'trạng thái', 'tiến độ', 'xử lý chưa', 'giải quyết chưa', 'kết quả', 'mã phản ánh', 'mã số', 'theo dõi',
    'status', 'track', 'tracking', 'progress', 'what happened', 'where is my',
  ],
  planning: ['quy hoạch', 'quy hoach', 'planning', 'zoning', 'zoned', 'land use plan'],
  faq_time: [
    'bao lâu', 'mấy ngày', 'bao nhiêu ngày', 'thời hạn', 'khi nào xong', 'khi nào được', 'thời gian xử lý', 'thời gian giải quyết',
    'how long', 'how many days', 'deadline', 'when will',
  ],
  faq_rating: ['đánh giá', 'chấm điểm', 'hài lòng', 'không hài lòng', 'rate', 'rating', 'satisfied', 'feedback on the'],
  faq_how: [
    'cách gửi', 'làm sao gửi', 'làm thế nào', 'làm sao để', 'hướng dẫn', 'gửi như thế nào', 'cách phản ánh', 'cần những gì', 'có mất phí',
    'how do i', 'how to', 'how can i', 'what do i need',
  ],
  file: [
    'phản ánh', 'báo cáo', 'khiếu nại', 'kiến nghị', 'gửi phản ánh', 'muốn phản ánh', 'báo hỏng', 'có vấn đề', 'tố giác',
    'report', 'complain', 'complaint', 'file', 'problem', 'issue',
  ],
  greeting: ['xin chào', 'chào', 'alo', 'hello', 'hi', 'hey', 'good morning', 'cảm ơn', 'thank', 'thanks'],
  cancel: ['hủy', 'huỷ', 'thôi', 'bỏ qua', 'làm lại', 'bắt đầu lại', 'cancel', 'stop', 'start over', 'never mind'],
};

const COMPILED = Object.fromEntries(Object.entries(TRIGGERS).map(([intent, phrases]) => [intent, phrases.map((p) => normalise(p).trim())])) as Record<
  keyof typeof TRIGGERS,
  string[]
>;

/** Whether a message says one of an intent's trigger phrases. */
export function says(message: string, intent: keyof typeof TRIGGERS): boolean {
  const norm = normalise(message);
  return COMPILED[intent].some((p) => hasPhrase(norm, p));
}

/**
 * Something shaped like a tracking code: 8 letters and digits with at least
 * one digit, or 8 letters typed in capitals. It may still not be a valid code
 * ("ABC12345" has a 1); the lookup says so honestly.
 */
export function findCode(message: string): string | undefined {
  const candidates = message.match(/\b[A-Za-z0-9]{4}[\s-]?[A-Za-z0-9]{4}\b/g) ?? [];
  for (const raw of candidates) {
    const compact = raw.replace(/[\s-]/g, '');
    if (compact.length !== CODE_LENGTH) continue;
    const mixed = /\d/.test(compact) && /[A-Za-z]/.test(compact);
    const capitals = /^[A-Z]+$/.test(compact);
    if (mixed || capitals) return compact.toUpperCase();
  }
  // Typed all in lower case ("qmfbtsmp"): only next to a status question, only 8 letters in a row from the
  // code alphabet. No Vietnamese syllable is 8 letters long, and the alphabet has no i, l or o.
  if (says(message, 'status')) {
    for (const word of message.match(/\b[a-z2-9]{8}\b/gi) ?? []) if (isValidCode(word.toUpperCase())) return word.toUpperCase();
  }
  return undefined;
}

/** Whether a normalised code could be one of ours at all (right alphabet and length). */
export function isValidCode(code: string): boolean {
  return code.length === CODE_LENGTH && [...code].every((c) => CODE_ALPHABET.includes(c));
}

/**
 * The intent of one message, in priority order: an emergency beats
 * everything, a tracking code means a status question, then the FAQ topics,
 * then filing. Greetings and "cancel" only count when nothing else does.
 */
export function detectIntent(message: string): { intent: Intent; code?: string } {
  if (says(message, 'emergency')) return { intent: 'emergency' };
  const code = findCode(message);
  if (code) return { intent: 'status', code };
  if (says(message, 'planning')) return { intent: 'planning' };
  if (says(message, 'faq_time')) return { intent: 'faq_time' };
  if (says(message, 'faq_rating')) return { intent: 'faq_rating' };
  if (says(message, 'faq_how')) return { intent: 'faq_how' };
  if (says(message, 'status')) return { intent: 'status' };
  if (says(message, 'cancel')) return { intent: 'cancel' };
  if (says(message, 'file')) return { intent: 'file' };
  if (says(message, 'greeting')) return { intent: 'greeting' };
  return { intent: 'fallback' };
}
