import { describe, expect, it } from 'vitest';
import { foldText, matchKey } from '../../spatial/fold-text.js';

describe('foldText', () => {
  it('drops tone marks and other diacritics, in composed (NFC) and decomposed (NFD) input alike', () => {
    expect(foldText('Lê Duẩn')).toBe('le duan');
    expect(foldText('Lê Duẩn'.normalize('NFD'))).toBe('le duan');
    expect(foldText('Chợ Trung Tâm')).toBe('cho trung tam');
    expect(foldText('Buôn Ma Thuột')).toBe('buon ma thuot');
    expect(foldText('Tuy Hoà')).toBe(foldText('Tuy Hòa'));
  });

  it('reads đ and Đ as d', () => {
    expect(foldText('Đắk Lắk')).toBe('dak lak');
    expect(foldText('Đăk Lăk')).toBe('dak lak');
    expect(foldText('đường')).toBe('duong');
  });

  it('turns punctuation and runs of spaces into one space', () => {
    expect(foldText('  Nguyễn   Tất-Thành, ')).toBe('nguyen tat thanh');
    expect(foldText('30 tháng 4')).toBe('30 thang 4');
  });
});

describe('matchKey', () => {
  it('strips a leading Đường, Phố, Phường, Xã or Thị trấn', () => {
    expect(matchKey('Đường Lê Duẩn')).toBe('le duan');
    expect(matchKey('phuong tan lap')).toBe('tan lap');
    expect(matchKey('Xã Ea Kao')).toBe('ea kao');
    expect(matchKey('Thị trấn Quảng Phú')).toBe('quang phu');
  });

  it('keeps the word when it is the whole text or not at the start', () => {
    expect(matchKey('Phường')).toBe('phuong');
    expect(matchKey('UBND phường Tân Lập')).toBe('ubnd phuong tan lap');
  });
});
