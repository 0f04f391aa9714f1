import { describe, expect, it } from 'vitest';
import { fieldLabel, messageKeys, msg, render } from '../../server/messages.js';

/** Vietnamese letters with marks; a place name (Đắk Lắk) is the one thing allowed in an English sentence. */
const MARKS = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;
const ENGLISH = /\b(the|is|are|must|not|please|file|only|report)\b/i;

describe('server message catalogue', () => {
  it('has every message in both languages, with no Vietnamese in English and no English words in Vietnamese', () => {
    for (const key of messageKeys()) {
      const vi = render('vi', msg(key));
      const en = render('en', msg(key));
      expect(vi, key).not.toBe('');
      expect(en, key).not.toBe('');
      expect(en.replaceAll('Đắk Lắk', ''), key).not.toMatch(MARKS);
      expect(vi.replace(/Idempotency-Key|multipart\/form-data|next_cursor|HEIC|JPEG|UTF-16|NUL|ffmpeg|ASCII|UUID|URL|e-mail|video|MB|KB/g, ''), key).not.toMatch(ENGLISH);
    }
  });

  it('fills parameters and names inputs in the reader’s language', () => {
    expect(render('vi', msg('input.too_short', { field: 'title', min: 5 }))).toBe('Tiêu đề cần ít nhất 5 ký tự');
    expect(render('en', msg('input.too_short', { field: 'title', min: 5 }))).toBe('title must be at least 5 characters');
    expect(fieldLabel('vi', 'photos[1]')).toBe('Ảnh 2');
    expect(fieldLabel('en', 'photos[1]')).toBe('photos[1]');
    // Plain strings are text not yet catalogued: passed through unchanged.
    expect(render('vi', 'as written')).toBe('as written');
  });
});
