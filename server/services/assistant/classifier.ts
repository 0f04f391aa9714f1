import { hasFuzzyWord, hasPhrase, hasVietnameseMarks, normalise, normaliseMarked } from './text.js';

/**
 * Words people use for each field, with a weight: 3 names the field on its
 * own ("ổ gà"), 2 points strongly at it, 1 is a hint that other words may
 * outweigh ("đường" appears in "đèn đường" too). Written with tone marks and
 * folded once, so text with or without marks matches alike. English words
 * sit beside the Vietnamese ones.
 */
export const FIELD_KEYWORDS: Record<string, Record<string, number>> = {
  road: {
    'ổ gà': 4, 'ổ voi': 4, 'ổ trâu': 4, 'mặt đường': 3, 'sụt lún': 2, 'lún': 1, 'hư hỏng': 1, 'xuống cấp': 2, 'nứt': 1, 'bong tróc': 2,
    'đường': 1, 'đường sá': 3, 'con đường': 1, 'tuyến đường': 2, 'quốc lộ': 3, 'tỉnh lộ': 3, 'đường liên thôn': 3, 'đường bê tông': 3, 'nhựa': 1, 'đá dăm': 2,
    'biển báo': 3, 'đèn tín hiệu': 4, 'đèn giao thông': 4, 'đèn xanh đèn đỏ': 4, 'gờ giảm tốc': 3, 'vạch kẻ': 3, 'dải phân cách': 3, 'hộ lan': 3,
    'cầu': 1, 'cầu treo': 3, 'cầu tràn': 3, 'ùn tắc': 3, 'kẹt xe': 3, 'tắc đường': 3, 'giao thông': 2, 'xe tải': 1, 'xe quá tải': 3, 'lầy lội': 3, 'bùn lầy': 2, 'sình lầy': 3,
    'vá đường': 3, 'thi công': 1, 'đào đường': 3, 'rào chắn': 1, 'đất đá': 1, 'sạt lở': 1, 'ta luy': 3, 'trơn trượt': 2, 'xe máy': 1, 'té ngã': 1,
    pothole: 4, potholes: 4, road: 2, 'road surface': 3, pavement: 1, 'traffic light': 4, 'traffic lights': 4, 'traffic sign': 3, 'speed bump': 3, bridge: 2, traffic: 2, 'traffic jam': 3, asphalt: 2, cracked: 1, muddy: 2,
  },
  lighting: {
    'đèn đường': 4, 'đèn chiếu sáng': 4, 'chiếu sáng': 3, 'bóng đèn': 3, 'đèn': 2, 'cột đèn': 3, 'đèn cao áp': 4, 'đèn led': 3, 'đèn hỏng': 3,
    'không sáng': 2, 'tối om': 3, 'tối thui': 3, 'tối': 1, 'đèn tắt': 3, 'sáng cả ngày': 3, 'đèn nhấp nháy': 3, 'chập chờn': 1, 'ban đêm': 1,
    'streetlight': 4, 'streetlights': 4, 'street light': 4, 'street lights': 4, 'lamp': 3, 'lamps': 3, 'lamp post': 4, lighting: 3, dark: 1, 'light is out': 3, bulb: 3,
  },
  waste: {
    'rác': 4, 'rác thải': 4, 'bãi rác': 4, 'thu gom': 3, 'xe rác': 4, 'vứt rác': 4, 'đổ rác': 4, 'đổ trộm': 2, 'phế thải': 3, 'xà bần': 3, 'phế liệu': 2,
    'xác chết': 2, 'xác động vật': 3, 'xác chó': 4, 'xác mèo': 4, 'xác heo': 4, 'xác gà': 4, 'xác chuột': 4, 'chó chết': 3, 'heo chết': 3, 'không ai dọn': 2, 'vệ sinh': 2, 'nhà vệ sinh công cộng': 4, 'thùng rác': 4, 'túi ni lông': 2, 'ùn ứ': 1, 'bốc mùi': 1, 'dọn dẹp': 1, 'hôi thối': 1, 'ruồi': 1, 'chuột': 1,
    trash: 4, garbage: 4, rubbish: 4, litter: 4, waste: 3, 'bins': 3, bin: 3, dumping: 3, dumped: 3, 'collection': 2, debris: 2, sanitation: 3, toilet: 2,
  },
  water: {
    'cấp nước': 4, 'thoát nước': 4, 'mất nước': 4, 'cúp nước': 4, 'nước sinh hoạt': 3, 'nước máy': 3, 'ống nước': 4, 'đường ống': 3, 'vỡ ống': 4, 'rò rỉ': 2,
    'nước yếu': 4, 'nước đục': 4, 'nước bẩn': 2, 'nước có mùi': 3, 'cống': 3, 'nắp cống': 4, 'mương': 3, 'ngập': 3, 'ngập nước': 4, 'ngập úng': 4, 'đọng nước': 2,
    'tắc cống': 4, 'nước tràn': 3, 'đồng hồ nước': 4, 'tiền nước': 4, 'hố ga': 4, 'nước': 1, 'giếng': 2, 'vòi nước': 3,
    'water supply': 4, 'no water': 4, 'water pipe': 4, pipe: 3, leak: 2, leaking: 2, flood: 3, flooded: 3, flooding: 3, drain: 4, drainage: 4, sewer: 4, manhole: 4, 'tap water': 4, water: 1,
  },
  power: {
    'điện': 2, 'mất điện': 4, 'cúp điện': 4, 'cắt điện': 4, 'điện yếu': 4, 'chập điện': 4, 'điện chập chờn': 4, 'dây điện': 3, 'cột điện': 3, 'trạm biến áp': 4, 'biến áp': 3,
    'công tơ': 4, 'đồng hồ điện': 4, 'tiền điện': 4, 'hóa đơn điện': 4, 'điện lực': 4, 'sụt áp': 4, 'dây võng': 2, 'đứt dây': 2, 'tia lửa': 2, 'điện giật': 3, 'rò điện': 4, 'chập': 2,
    electricity: 4, 'power cut': 4, 'power outage': 4, blackout: 4, outage: 3, 'power line': 4, 'power lines': 4, wire: 2, wires: 2, transformer: 4, 'electric': 3, voltage: 4, meter: 1,
  },
  urban_order: {
    'lấn chiếm': 4, 'lấn chiếm vỉa hè': 5, 'vỉa hè': 3, 'lòng đường': 2, 'buôn bán': 3, 'hàng rong': 4, 'bán hàng': 2, 'chợ cóc': 4, 'chợ tạm': 4, 'họp chợ': 3,
    'đậu xe': 3, 'đỗ xe': 3, 'trông giữ xe': 3, 'quảng cáo': 3, 'băng rôn': 3, 'biển hiệu': 3, 'dựng rạp': 3, 'mái che': 2, 'trật tự': 3, 'trật tự đô thị': 5,
    'xây dựng trái phép': 4, 'xây dựng không phép': 4, 'xây không phép': 4, 'xây trái phép': 4, 'sai phép': 4, 'công trình': 1, 'cơi nới': 4, 'bày bán': 3, 'quán': 1, 'bàn ghế': 2, 'tập kết vật liệu': 3, 'vật liệu xây dựng': 2,
    sidewalk: 3, encroach: 4, encroaching: 4, encroachment: 4, vendors: 3, vendor: 3, 'street vendors': 4, parking: 3, parked: 2, billboard: 3, 'illegal construction': 4, stalls: 3, blocking: 1,
  },
  environment: {
    'ô nhiễm': 4, 'môi trường': 3, 'tiếng ồn': 4, 'ồn ào': 4, 'ồn': 2, 'karaoke': 4, 'hát karaoke': 4, 'loa': 2, 'loa kẹo kéo': 4, 'khói': 3, 'khói bụi': 4, 'bụi': 3, 'mùi hôi': 3,
    'nước thải': 3, 'xả thải': 4, 'xả nước thải': 4, 'trại heo': 4, 'trại lợn': 4, 'chăn nuôi': 3, 'chuồng heo': 4, 'chuồng trại': 3, 'nhà máy': 2, 'cơ sở sản xuất': 2, 'xưởng': 2,
    'đốt rác': 3, 'đốt': 1, 'hóa chất': 3, 'thuốc trừ sâu': 3, 'khai thác cát': 4, 'cát': 1, 'hút cát': 4, 'cá chết': 4, 'sông': 1, 'suối': 1, 'hồ': 1, 'ao': 1, 'cà phê': 1, 'lò': 1, 'than': 1, 'mùi': 1,
    pollution: 4, polluted: 4, noise: 4, noisy: 4, loud: 3, smoke: 4, dust: 3, smell: 3, stench: 3, wastewater: 4, 'pig farm': 4, factory: 2, chemicals: 3, burning: 2, 'sand mining': 4,
  },
  land: {
    'đất': 2, 'đất đai': 4, 'tranh chấp': 4, 'tranh chấp đất': 5, 'sổ đỏ': 4, 'sổ hồng': 4, 'giấy chứng nhận quyền sử dụng đất': 5, 'quyền sử dụng đất': 4, 'thửa đất': 4, 'lô đất': 3,
    'lấn chiếm đất': 5, 'lấn đất': 4, 'ranh giới': 3, 'mốc giới': 4, 'đo đạc': 3, 'địa chính': 3, 'bồi thường': 3, 'giải phóng mặt bằng': 4, 'thu hồi đất': 5, 'tái định cư': 4, 'đền bù': 4,
    'đất công': 4, 'đất rừng': 4, 'phân lô': 4, 'bán nền': 4, 'chuyển mục đích': 4, 'đất nông nghiệp': 4, 'rẫy': 2, 'nương rẫy': 3, 'hàng xóm': 1, 'quy hoạch': 2, 'hàng rào': 1, 'cắm mốc': 4,
    land: 3, 'land dispute': 5, plot: 3, boundary: 3, 'land title': 5, 'land use': 4, compensation: 3, 'land grab': 5, 'land certificate': 5, zoning: 2,
  },
  trees: {
    'cây xanh': 4, 'cây': 2, 'cây đổ': 4, 'đổ cây': 4, 'ngã đổ': 3, 'cành cây': 4, 'gãy cành': 4, 'cành khô': 4, 'tỉa cành': 4, 'cắt tỉa': 4, 'chặt cây': 4, 'cây chết': 4, 'cây khô': 4,
    'rễ cây': 4, 'gốc cây': 4, 'cổ thụ': 4, 'bật gốc': 4, 'nghiêng': 2, 'tán cây': 4, 'trồng cây': 3, 'công viên': 2, 'bồn hoa': 3, 'thảm cỏ': 3, 'cỏ': 1, 'dầu': 1, 'sao đen': 2, 'phượng': 2, 'bằng lăng': 2,
    tree: 4, trees: 4, branch: 4, branches: 4, 'fallen tree': 5, trunk: 3, roots: 3, prune: 4, pruning: 4, 'cut down': 2, park: 2, grass: 2, leaning: 2,
  },
  public_safety: {
    'an ninh': 4, 'an toàn': 2, 'trộm': 4, 'trộm cắp': 4, 'mất trộm': 4, 'cướp': 4, 'cướp giật': 4, 'đánh nhau': 4, 'đánh bạc': 4, 'cờ bạc': 4, 'ma túy': 4, 'nghiện': 3, 'tiêm chích': 4,
    'đua xe': 4, 'đua xe trái phép': 5, 'bốc đầu': 4, 'tụ tập': 3, 'gây rối': 4, 'côn đồ': 4, 'băng nhóm': 4, 'say xỉn': 3, 'cho vay nặng lãi': 4, 'tín dụng đen': 4, 'đòi nợ': 3, 'đe dọa': 3,
    'hố sâu': 2, 'nguy hiểm': 1, 'đuối nước': 3, 'rào chắn': 1, 'camera': 2, 'lừa đảo': 4, 'hung hãn': 2, 'chó thả rông': 3, 'chó cắn': 3, 'pháo': 3, 'vũ khí': 4, 'dao': 2,
    theft: 4, thieves: 4, stolen: 4, robbery: 4, fight: 3, fighting: 3, drugs: 4, gambling: 4, 'street racing': 5, racing: 3, gang: 4, unsafe: 2, dangerous: 1, security: 3, drunk: 3, threats: 3,
  },
  official_attitude: {
    'cán bộ': 3, 'công chức': 3, 'viên chức': 2, 'hách dịch': 5, 'thái độ': 4, 'gây khó dễ': 5, 'khó dễ': 4, 'nhũng nhiễu': 5, 'vòi vĩnh': 5, 'tiêu cực': 4, 'phong bì': 4, 'bồi dưỡng': 2,
    'thủ tục': 3, 'thủ tục hành chính': 5, 'hồ sơ': 3, 'một cửa': 4, 'bộ phận một cửa': 5, 'tiếp dân': 4, 'trễ hẹn': 4, 'hẹn lần hẹn lượt': 5, 'quát': 3, 'quát tháo': 4, 'to tiếng': 3, 'thiếu tôn trọng': 4,
    'ủy ban': 2, 'ubnd': 2, 'phường': 1, 'xã': 1, 'chứng thực': 4, 'công chứng': 3, 'khai sinh': 4, 'hộ khẩu': 4, 'cư trú': 3, 'căn cước': 4, 'giấy tờ': 3, 'xin chữ ký': 4, 'chữ ký': 2, 'con dấu': 3, 'vắng mặt': 2, 'làm việc riêng': 4, 'đi muộn': 3, 'giờ hành chính': 3, 'lãnh đạo': 1,
    official: 3, officials: 3, clerk: 4, rude: 5, bribe: 5, bribes: 5, paperwork: 4, documents: 3, 'civil servant': 4, attitude: 4, 'ward office': 3, 'commune office': 3, delayed: 1, application: 2,
  },
};

/** What the field names themselves say, so a person who names the field is understood. */
const FIELD_NAMES: Record<string, string[]> = {
  road: ['giao thông', 'đường sá'],
  lighting: ['chiếu sáng công cộng'],
  waste: ['rác thải', 'vệ sinh môi trường'],
  water: ['cấp nước', 'thoát nước'],
  power: ['điện lực'],
  urban_order: ['trật tự đô thị'],
  environment: ['môi trường'],
  land: ['đất đai'],
  trees: ['cây xanh'],
  public_safety: ['an ninh trật tự', 'an toàn'],
  official_attitude: ['thái độ cán bộ', 'thủ tục hành chính'],
};

interface CompiledKeyword {
  /** Folded, for text typed without tone marks. */
  phrase: string;
  /** With its marks, for text typed with them: "cống" then no longer matches "công". */
  marked: string;
  weight: number;
  /** Words joined by spaces; single long words may also match with one typo. */
  single: boolean;
}

const COMPILED: Record<string, CompiledKeyword[]> = Object.fromEntries(
  Object.entries(FIELD_KEYWORDS).map(([field, words]) => {
    const all = new Map<string, number>();
    for (const [w, weight] of [...Object.entries(words), ...(FIELD_NAMES[field] ?? []).map((n) => [n, 3] as const)]) {
      const marked = normaliseMarked(w).trim();
      all.set(marked, Math.max(all.get(marked) ?? 0, weight));
    }
    return [field, [...all].map(([marked, weight]) => {
      const phrase = normalise(marked).trim();
      return { phrase, marked, weight, single: !phrase.includes(' ') };
    })];
  }),
);

export const FIELD_CODES = Object.keys(FIELD_KEYWORDS);

export interface FieldSuggestion {
  field: string;
  score: number;
  /** Share of the total score, 0–1. */
  confidence: number;
  /** The words that pointed here (folded). */
  matched: string[];
}

/**
 * Ranks the fields a report text is about, best first; fields with no
 * matching word are left out, so an empty list means "no idea".
 * @example suggestField('Ổ gà to trước nhà')[0].field // 'road'
 */
export function suggestField(text: string): FieldSuggestion[] {
  const norm = normalise(text);
  const marked = hasVietnameseMarks(text) ? normaliseMarked(text) : undefined;
  const matches = (k: CompiledKeyword) => (marked ? hasPhrase(marked, k.marked) : hasPhrase(norm, k.phrase));
  const hits = new Map<string, CompiledKeyword[]>();
  for (const [field, keywords] of Object.entries(COMPILED)) hits.set(field, keywords.filter(matches));
  // A phrase inside a longer matched phrase counts once, as the longer one, whichever field that is:
  // "đèn" gives way to "đèn giao thông", "nước" to "nước thải", "lấn chiếm" to "lấn chiếm đất".
  const allPhrases = [...new Set([...hits.values()].flat().map((k) => k.phrase))];
  const inLonger = (p: string) => allPhrases.some((o) => o.length > p.length && ` ${o} `.includes(` ${p} `));
  const scored: { field: string; score: number; matched: string[] }[] = [];
  for (const [field, keywords] of Object.entries(COMPILED)) {
    let score = 0;
    const matched: string[] = [];
    const fieldHits = hits.get(field)!;
    for (const k of fieldHits) {
      if (inLonger(k.phrase)) continue;
      score += k.weight;
      matched.push(k.phrase);
    }
    // Typos in longer words ("garbge", "electricty") count half.
    for (const k of keywords) {
      if (k.single && k.weight >= 3 && !fieldHits.includes(k) && hasFuzzyWord(norm, k.phrase)) {
        score += k.weight / 2;
        matched.push(`~${k.phrase}`);
      }
    }
    if (score > 0) scored.push({ field, score, matched });
  }
  const total = scored.reduce((s, f) => s + f.score, 0);
  return scored
    .sort((a, b) => b.score - a.score || FIELD_CODES.indexOf(a.field) - FIELD_CODES.indexOf(b.field))
    .map((f) => ({ ...f, confidence: total ? Math.round((f.score / total) * 100) / 100 : 0 }));
}
