import { pick, type Rng } from './prng.js';

/**
 * Vietnamese wording for demo reports: titles, descriptions, names. Places
 * are those a resident of the area would mention, so a reader from Đắk Lắk
 * recognises the streets.
 */

export interface Place {
  /** Street or road, e.g. "Lê Duẩn" or "Quốc lộ 14". */
  street: string;
  /** A landmark near the point, or a hamlet in the countryside. */
  near: string;
  /** "phường Tân An" */
  ward: string;
  urban: boolean;
}

const BMT_STREETS = [
  'Lê Duẩn', 'Phan Bội Châu', 'Nguyễn Tất Thành', 'Lý Thường Kiệt', 'Hùng Vương', 'Phan Chu Trinh', 'Ngô Quyền',
  'Quang Trung', 'Y Jút', 'Nguyễn Công Trứ', 'Hai Bà Trưng', 'Lê Hồng Phong', 'Giải Phóng', 'Mai Hắc Đế',
  'Nơ Trang Lơng', 'Y Wang', 'Nguyễn Văn Cừ', 'Trần Quý Cáp', 'Phạm Văn Đồng', 'Đinh Tiên Hoàng', 'Lê Thánh Tông',
  'Ama Khê', 'Tôn Đức Thắng', 'Trần Phú', 'Phan Đình Giót', 'Y Ngông', 'Hà Huy Tập', 'Nguyễn Chí Thanh',
  'Lê Thị Hồng Gấm', 'Võ Văn Kiệt', 'Nguyễn Thị Định', 'Mạc Thị Bưởi',
];
const BMT_LANDMARKS = [
  'Ngã Sáu Ban Mê', 'chợ Buôn Ma Thuột', 'Bảo tàng Thế giới Cà phê', 'hồ Ea Kao', 'Bến xe phía Bắc',
  'Bệnh viện Đa khoa vùng Tây Nguyên', 'Trường Đại học Tây Nguyên', 'buôn Akô Dhông', 'chợ Tân Lập',
  'Quảng trường 10/3', 'sân vận động Buôn Ma Thuột', 'Khu đô thị Ân Phú', 'chợ Thành Nhất', 'đồi Thủy Văn',
];
const TUY_HOA_STREETS = [
  'Trần Hưng Đạo', 'Hùng Vương', 'Nguyễn Huệ', 'Lê Duẩn', 'Độc Lập', 'Trần Phú', 'Nguyễn Tất Thành', 'Lê Lợi',
  'Duy Tân', 'Lê Trung Kiên', 'Nguyễn Trãi', 'Phạm Văn Đồng', 'Hải Dương', 'Bạch Đằng', 'Điện Biên Phủ',
];
const TUY_HOA_LANDMARKS = [
  'Tháp Nhạn', 'chợ Tuy Hòa', 'Quảng trường 1/4', 'bãi biển Tuy Hòa', 'cầu Hùng Vương', 'công viên Bạch Đằng',
  'Bệnh viện Đa khoa Phú Yên', 'Bến xe Tuy Hòa', 'chợ Phường 5',
];
const TOWN_STREETS = ['Hùng Vương', 'Trần Hưng Đạo', 'Nguyễn Tất Thành', 'Lê Hồng Phong', 'Lê Lợi', 'Nguyễn Trãi', 'Quang Trung', 'Trần Phú', 'Ngô Gia Tự', 'Lý Tự Trọng'];
const TOWN_LANDMARKS = ['chợ trung tâm', 'trụ sở UBND', 'trường THPT', 'trạm y tế', 'bến xe', 'nhà văn hóa khu phố'];
const HIGHLAND_ROADS = ['Quốc lộ 14', 'Quốc lộ 26', 'Quốc lộ 27', 'Quốc lộ 29', 'Tỉnh lộ 1', 'Tỉnh lộ 2', 'Tỉnh lộ 8', 'đường liên xã', 'đường liên thôn', 'đường vào buôn'];
const COAST_ROADS = ['Quốc lộ 1A', 'Quốc lộ 25', 'Quốc lộ 29', 'Quốc lộ 19C', 'ĐT641', 'ĐT643', 'ĐT645', 'đường liên xã', 'đường liên thôn', 'đường ven biển'];
const HIGHLAND_HAMLETS = ['buôn Ko Tam', 'buôn Kmrơng Prông', 'buôn Ea Tu', 'buôn Cuôr Knia', 'buôn Trấp', 'buôn Đôn', 'thôn 1', 'thôn 2', 'thôn 3', 'thôn 4', 'thôn 5', 'thôn 6', 'thôn Tân Hòa', 'thôn Thanh Bình'];
const COAST_HAMLETS = ['thôn Phú Lộc', 'thôn Mỹ Thạnh', 'thôn Long Thủy', 'thôn Phước Lộc', 'khu phố 1', 'khu phố 2', 'thôn Đông Phước', 'thôn Tân Thạnh', 'thôn 1', 'thôn 2'];

const BMT_WARDS = new Set(['24121', '24133', '24154', '24163', '24169']);
const TUY_HOA_WARDS = new Set(['22015', '22240', '22045']);

/** Picks a street and a landmark typical of the ward's area. */
export function placeFor(rng: Rng, wardCode: string, wardFullNameVi: string, urban: boolean): Place {
  const ward = wardFullNameVi.replace(/^(Phường|Xã)\s/, (m) => m.toLowerCase());
  const coast = wardCode.startsWith('22');
  if (BMT_WARDS.has(wardCode)) return { street: pick(rng, BMT_STREETS), near: pick(rng, BMT_LANDMARKS), ward, urban };
  if (TUY_HOA_WARDS.has(wardCode)) return { street: pick(rng, TUY_HOA_STREETS), near: pick(rng, TUY_HOA_LANDMARKS), ward, urban };
  if (urban) return { street: pick(rng, TOWN_STREETS), near: pick(rng, TOWN_LANDMARKS), ward, urban };
  return { street: pick(rng, coast ? COAST_ROADS : HIGHLAND_ROADS), near: pick(rng, coast ? COAST_HAMLETS : HIGHLAND_HAMLETS), ward, urban };
}

interface FieldText {
  titles: string[];
  details: string[];
}

// {street}, {near}, {ward}, {n}: filled by describe(). Urban and rural
// wording share templates; the place names make the difference.
const TEXT: Record<string, FieldText> = {
  road: {
    titles: ['Ổ gà lớn trên đường {street}', 'Mặt đường {street} hư hỏng nặng', 'Đường {street} sụt lún gây nguy hiểm', 'Nắp hố ga trên đường {street} bị vỡ', 'Đèn tín hiệu giao thông gần {near} không hoạt động', 'Biển báo giao thông bị đổ trên {street}'],
    details: [
      'Đoạn đường {street} gần {near} có nhiều ổ gà sâu khoảng {n}0cm, trời mưa đọng nước, xe máy đi qua rất dễ té ngã.',
      'Mặt đường bong tróc, lún sụt một đoạn dài chừng {n}0m. Đã có người đi xe máy bị ngã vào buổi tối.',
      'Nắp hố ga bị vỡ, chỉ được che tạm bằng cành cây. Đề nghị đơn vị quản lý thay mới sớm trước khi xảy ra tai nạn.',
      'Đèn tín hiệu tại nút giao chỉ nhấp nháy vàng từ {n} ngày nay, giờ cao điểm rất ùn tắc.',
      'Xe tải chở nông sản đi qua thường xuyên làm đường hư hỏng nặng, mùa mưa lầy lội, học sinh đi học rất khó khăn.',
    ],
  },
  lighting: {
    titles: ['Đèn đường trên {street} không sáng', 'Cả dãy đèn chiếu sáng gần {near} bị tắt', 'Đèn đường chập chờn trên {street}', 'Cột đèn chiếu sáng bị nghiêng', 'Khu dân cư gần {near} thiếu đèn chiếu sáng'],
    details: [
      'Khoảng {n} bóng đèn đường trên đoạn {street} không sáng đã hơn một tuần, buổi tối rất tối, người dân lo mất an ninh.',
      'Đèn lúc sáng lúc tắt suốt đêm. Đề nghị kiểm tra lại đường dây.',
      'Cột đèn bị xe va quẹt, nghiêng hẳn về phía lòng đường, có nguy cơ đổ.',
      'Đoạn đường đi vào khu dân cư gần {near} không có đèn, người dân phải tự kéo điện thắp sáng.',
    ],
  },
  waste: {
    titles: ['Rác thải tồn đọng trên đường {street}', 'Điểm tập kết rác tự phát gần {near}', 'Xe thu gom rác không đến nhiều ngày', 'Đổ trộm xà bần trên {street}', 'Rác thải bốc mùi hôi gần {near}'],
    details: [
      'Rác thải sinh hoạt dồn ứ thành đống lớn, bốc mùi hôi thối, ruồi nhặng nhiều. Đã {n} ngày chưa được thu gom.',
      'Có người đổ trộm xà bần, rác thải xây dựng vào ban đêm ở bãi đất trống. Đề nghị xử lý và lắp biển cấm.',
      'Xe thu gom rác không đến khu vực này đã gần một tuần, các hộ dân phải để rác trước nhà.',
      'Điểm tập kết rác ngay cạnh trường học, học sinh phải đi qua mỗi ngày, rất mất vệ sinh.',
    ],
  },
  water: {
    titles: ['Mất nước sinh hoạt nhiều ngày', 'Vỡ ống nước trên đường {street}', 'Nước máy có màu đục, mùi lạ', 'Cống thoát nước bị tắc gần {near}', 'Ngập úng khi mưa trên đường {street}'],
    details: [
      'Khu vực gần {near} bị mất nước {n} ngày liền, không có thông báo trước. Người dân phải mua nước bình để dùng.',
      'Ống nước bị vỡ, nước chảy tràn ra mặt đường suốt từ sáng, rất lãng phí.',
      'Nước máy có màu vàng đục và mùi clo nặng, không dám dùng để nấu ăn.',
      'Mỗi lần mưa lớn nước ngập sâu gần nửa mét vì cống thoát nước bị tắc, xe chết máy hàng loạt.',
    ],
  },
  power: {
    titles: ['Mất điện kéo dài gần {near}', 'Dây điện võng thấp trên đường {street}', 'Trụ điện nghiêng có nguy cơ đổ', 'Điện chập chờn làm hỏng thiết bị', 'Cháy nổ tại trạm biến áp gần {near}'],
    details: [
      'Khu vực bị mất điện từ {n} giờ sáng đến giờ chưa có lại, không có lịch cắt điện báo trước.',
      'Dây điện võng xuống thấp, xe tải đi qua có thể vướng. Đề nghị ngành điện kiểm tra gấp.',
      'Điện áp yếu, chập chờn vào buổi tối, nhiều hộ bị hư tủ lạnh, máy bơm nước tưới cà phê.',
      'Trụ điện bị nghiêng sau trận mưa lớn, dây điện kéo căng, rất nguy hiểm cho người đi đường.',
    ],
  },
  urban_order: {
    titles: ['Lấn chiếm vỉa hè trên đường {street}', 'Buôn bán lấn chiếm lòng đường gần {near}', 'Xây dựng không phép tại {street}', 'Quán nhậu bày bàn ghế tràn ra vỉa hè', 'Biển quảng cáo che khuất tầm nhìn'],
    details: [
      'Các hộ kinh doanh bày hàng hóa chiếm hết vỉa hè, người đi bộ phải đi xuống lòng đường rất nguy hiểm.',
      'Chợ tự phát họp ngay trên lòng đường vào buổi sáng, gây ùn tắc giao thông kéo dài.',
      'Một hộ dân đang xây dựng lấn ra hành lang đường khoảng {n}m, không thấy có giấy phép xây dựng.',
      'Quán bày bàn ghế kín vỉa hè đến khuya, xe máy đậu tràn xuống lòng đường.',
    ],
  },
  environment: {
    titles: ['Tiếng ồn karaoke đến khuya', 'Khói bụi từ cơ sở sản xuất gần {near}', 'Mùi hôi từ trại chăn nuôi', 'Xả nước thải ra môi trường', 'Đốt rác gây ô nhiễm không khí'],
    details: [
      'Nhà hàng xóm hát karaoke công suất lớn đến hơn 11 giờ đêm gần như mỗi ngày, ảnh hưởng giấc ngủ người già và trẻ nhỏ.',
      'Cơ sở sấy cà phê thải khói bụi mù mịt, bụi bám đầy nhà dân xung quanh.',
      'Trại heo gần khu dân cư bốc mùi hôi nồng nặc, nước thải chảy ra mương.',
      'Nước thải có màu đen, mùi hôi chảy thẳng ra suối, cá chết nhiều.',
      'Người dân đốt rác, đốt thực bì vào buổi chiều, khói bay vào nhà gây khó thở.',
    ],
  },
  land: {
    titles: ['Tranh chấp ranh giới đất đai', 'Chậm cấp giấy chứng nhận quyền sử dụng đất', 'Lấn chiếm đất công gần {near}', 'Khai thác đất, cát trái phép', 'San lấp mặt bằng trái phép'],
    details: [
      'Gia đình tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất đã hơn {n} tháng nhưng chưa được giải quyết.',
      'Hộ bên cạnh rào lấn sang đất của gia đình tôi khoảng {n}m, đã hòa giải ở thôn nhưng không thành.',
      'Có người san ủi, rào chiếm khu đất công bỏ trống để trồng cà phê.',
      'Xe múc khai thác đất, cát ban đêm, làm sạt lở bờ suối, hư hỏng đường liên thôn.',
    ],
  },
  trees: {
    titles: ['Cây xanh có nguy cơ gãy đổ trên {street}', 'Cành cây che khuất đèn đường', 'Cây đổ chắn ngang đường sau mưa', 'Chặt hạ cây xanh không phép', 'Cây xanh mục gốc gần {near}'],
    details: [
      'Cây xà cừ lớn bị mục gốc, nghiêng ra lòng đường, mùa mưa gió rất dễ gãy đổ.',
      'Cành cây um tùm che kín đèn đường và biển báo. Đề nghị cắt tỉa.',
      'Sau trận mưa lớn chiều qua, một cây lớn bị đổ chắn ngang đường, xe không qua được.',
      'Có người tự ý chặt hạ {n} cây xanh trên vỉa hè trước nhà để làm quán.',
    ],
  },
  public_safety: {
    titles: ['Thanh thiếu niên tụ tập đua xe trên {street}', 'Trộm cắp tài sản gia tăng gần {near}', 'Nhóm người gây rối trật tự', 'Điểm đen tai nạn giao thông', 'Nghi vấn tụ tập sử dụng chất cấm'],
    details: [
      'Khoảng 10 giờ đêm thường có nhóm thanh niên tụ tập, rú ga, lạng lách trên đường, người dân rất bức xúc.',
      'Trong tháng này đã có {n} vụ mất trộm xe máy, cà phê phơi ngoài sân trong khu vực.',
      'Đoạn đường cua gắt thiếu biển cảnh báo, thường xuyên xảy ra va chạm giao thông.',
      'Có nhóm người lạ tụ tập ở nhà hoang vào ban đêm, nghi sử dụng ma túy.',
    ],
  },
  official_attitude: {
    titles: ['Cán bộ tiếp dân thiếu tôn trọng', 'Hồ sơ hành chính bị trả về nhiều lần', 'Giải quyết thủ tục chậm trễ', 'Cán bộ đi trễ về sớm', 'Yêu cầu bổ sung giấy tờ không cần thiết'],
    details: [
      'Khi tôi đến làm thủ tục, cán bộ một cửa có thái độ cáu gắt, không hướng dẫn cụ thể.',
      'Hồ sơ của tôi bị trả về {n} lần, mỗi lần yêu cầu bổ sung một giấy tờ khác nhau.',
      'Đã quá hẹn trả kết quả {n} ngày nhưng chưa nhận được, gọi điện không ai nghe máy.',
      'Đến trụ sở lúc 8 giờ sáng nhưng bộ phận tiếp nhận chưa có người làm việc.',
    ],
  },
};

const OPENERS = ['', '', '', 'Kính gửi cơ quan chức năng. ', 'Tôi xin phản ánh: ', 'Người dân {ward} phản ánh: '];
const WHERE = ['Địa điểm: {street}, {ward}.', 'Vị trí gần {near}, {ward}.', 'Tại {street}, gần {near}.', ''];
const CLOSERS = ['', 'Đề nghị các cơ quan chức năng sớm xử lý.', 'Mong được giải quyết sớm.', 'Tình trạng này kéo dài đã lâu mà chưa được khắc phục.', 'Xin cảm ơn.'];

function fill(template: string, place: Place, n: number): string {
  return template
    .replaceAll('{street}', place.street)
    .replaceAll('{near}', place.near)
    .replaceAll('{ward}', place.ward)
    .replaceAll('{n}', String(n))
    // "trên đường {street}" with a street that is itself "đường liên xã".
    .replaceAll('đường đường', 'đường');
}

/** A title and description for a report of the given field at a place. */
export function describe(rng: Rng, fieldCode: string, place: Place): { title: string; description: string } {
  const text = TEXT[fieldCode];
  if (!text) throw new Error(`No demo text for field ${fieldCode}`);
  const n = 2 + Math.floor(rng() * 6);
  const title = fill(pick(rng, text.titles), place, n);
  const parts = [fill(pick(rng, OPENERS), place, n) + fill(pick(rng, text.details), place, n), fill(pick(rng, WHERE), place, n), pick(rng, CLOSERS)];
  return { title, description: parts.filter(Boolean).join(' ') };
}

// Surname frequencies roughly as in Vietnamese name surveys (Nguyễn ~38%).
const SURNAMES: [string, number][] = [
  ['Nguyễn', 38], ['Trần', 11], ['Lê', 9.5], ['Phạm', 7], ['Hoàng', 5], ['Huỳnh', 4], ['Phan', 4], ['Vũ', 3.9],
  ['Võ', 3.5], ['Đặng', 2.1], ['Bùi', 2], ['Đỗ', 1.4], ['Hồ', 1.3], ['Ngô', 1.3], ['Dương', 1], ['Lý', 0.5],
];
const MALE_MIDDLE = ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thanh', 'Công', 'Xuân', 'Đình'];
const FEMALE_MIDDLE = ['Thị', 'Thị', 'Ngọc', 'Thanh', 'Thu', 'Kim', 'Minh', 'Bích'];
const MALE_GIVEN = ['An', 'Bình', 'Cường', 'Dũng', 'Hải', 'Hùng', 'Khoa', 'Long', 'Nam', 'Phong', 'Quân', 'Sơn', 'Tài', 'Thắng', 'Toàn', 'Trung', 'Tuấn', 'Việt', 'Vinh', 'Hiếu'];
const FEMALE_GIVEN = ['Anh', 'Chi', 'Dung', 'Hà', 'Hạnh', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Ngân', 'Nhung', 'Oanh', 'Phương', 'Thảo', 'Trang', 'Tuyết', 'Vân', 'Yến', 'Hằng'];
// Ê Đê names: "Y" for men, "H'" for women, then the given name and the clan name.
const EDE_MALE = ['Moan', 'Jut', 'Bih', 'Ngông', 'Wang', 'Kô', 'Thuyên', 'Blim'];
const EDE_FEMALE = ['Hen', 'Linh', 'Nhi', 'Rin', 'Ngia', 'Bliu', 'Dơn', 'Mai'];
const EDE_CLANS = ['Niê', 'Ênuôl', 'Mlô', 'Byă', 'Êban', 'Ktla', 'Adrơng', 'Knul', 'Hwing', 'Buôn Yă'];

const SURNAME_TOTAL = SURNAMES.reduce((s, [, w]) => s + w, 0);

/** A plausible full name; Ê Đê names appear in highland communes. */
export function personName(rng: Rng, highlandRural: boolean): string {
  const female = rng() < 0.45;
  if (highlandRural && rng() < 0.25) {
    return female ? `H'${pick(rng, EDE_FEMALE)} ${pick(rng, EDE_CLANS)}` : `Y ${pick(rng, EDE_MALE)} ${pick(rng, EDE_CLANS)}`;
  }
  let x = rng() * SURNAME_TOTAL;
  let surname = SURNAMES[0][0];
  for (const [name, w] of SURNAMES) {
    if (x < w) { surname = name; break; }
    x -= w;
  }
  return female
    ? `${surname} ${pick(rng, FEMALE_MIDDLE)} ${pick(rng, FEMALE_GIVEN)}`
    : `${surname} ${pick(rng, MALE_MIDDLE)} ${pick(rng, MALE_GIVEN)}`;
}

/** "Nguyễn Văn An" → "nguyenvanan" for an email local part. */
export function asciiSlug(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^A-Za-z]/g, '').toLowerCase();
}

// Mobile prefixes in use since the 2018 renumbering (Viettel 09x/03x, Vina 09x/08x, Mobi 09x/07x).
const PHONE_PREFIXES = ['090', '091', '093', '094', '096', '097', '098', '035', '036', '037', '038', '039', '086', '088', '077', '079'];

export function phoneNumber(rng: Rng): string {
  let digits = pick(rng, PHONE_PREFIXES);
  for (let i = 0; i < 7; i++) digits += Math.floor(rng() * 10);
  return digits;
}

export const EVENT_NOTES = {
  received: 'Hệ thống đã tiếp nhận phản ánh.',
  verified: ['Đã xác minh thông tin phản ánh.', 'Phản ánh hợp lệ, chuyển xử lý.', 'Đã kiểm tra, thông tin chính xác.'],
  assigned: 'Chuyển {unit} xử lý.',
  in_progress: ['Đơn vị đã cử cán bộ kiểm tra hiện trường.', 'Đang phối hợp xử lý.', 'Đã tiếp nhận, đang xử lý.'],
  resolved: ['Đã xử lý xong.', 'Đã khắc phục, đề nghị người dân kiểm tra lại.', 'Đã làm việc với các bên liên quan, sự việc đã được giải quyết.', 'Đã sửa chữa, đưa vào hoạt động bình thường.'],
  closed: 'Đóng phản ánh.',
  rejected: ['Phản ánh không thuộc thẩm quyền giải quyết.', 'Thông tin không chính xác, không xác minh được.', 'Nội dung trùng với phản ánh đã được tiếp nhận trước đó.'],
} as const;

export const RATING_COMMENTS = {
  satisfied: ['Cảm ơn cơ quan chức năng đã xử lý nhanh.', 'Rất hài lòng.', 'Đã được khắc phục, cảm ơn.', 'Xử lý tốt, mong duy trì.'],
  dissatisfied: ['Xử lý quá chậm.', 'Chỉ khắc phục tạm bợ, vài ngày lại như cũ.', 'Chưa thấy xử lý gì nhưng đã báo hoàn thành.', 'Không hài lòng với cách giải quyết.'],
} as const;
