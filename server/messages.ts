/**
 * Every sentence the server writes for people, in Vietnamese and English,
 * keyed by what it says. The language is negotiated once per request
 * (server/routes/lang.ts) and applied where the reply is written: the error
 * handler, the timeline, the assistant. Text people wrote is never in here.
 *
 * `{name}` in a template is replaced by the parameter of that name; `{field}`
 * is an input's API name and is written as its label in the reader's language.
 */
export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'vi';

type Template = { vi: string; en: string };

const MESSAGES = {
  // Any endpoint
  'error.validation_failed': { vi: 'Một số ô chưa hợp lệ', en: 'Some fields are invalid' },
  'error.internal': { vi: 'Máy chủ gặp sự cố. Vui lòng thử lại.', en: 'Something went wrong on our side. Please try again.' },
  'error.query_timeout': {
    vi: 'Cơ sở dữ liệu trả lời quá chậm. Vui lòng thử lại sau giây lát.',
    en: 'The database took too long to answer. Please try again in a moment.',
  },
  'error.rate_limited': { vi: 'Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau {seconds} giây.', en: 'Too many requests. Please try again in {seconds} s.' },
  'error.body_too_large': { vi: 'Dữ liệu gửi lên lớn hơn {mb} MB', en: 'The request body is larger than {mb} MB' },
  'error.body_cut_off': { vi: 'Dữ liệu gửi lên bị ngắt giữa chừng', en: 'The request body was cut off before it ended' },
  'error.url_too_long': { vi: 'Địa chỉ URL dài hơn {kb} KB; hãy bớt bộ lọc', en: 'The URL is longer than {kb} KB; send fewer filters' },
  'error.nul': {
    vi: '{field} chứa ký tự không hợp lệ (NUL hoặc nửa cặp UTF-16)',
    en: '{field} must not contain the NUL character (U+0000) or a lone UTF-16 surrogate',
  },
  'error.idempotency_key': { vi: 'Khóa Idempotency-Key không hợp lệ', en: 'Invalid Idempotency-Key' },
  'error.idempotency_key.field': { vi: 'Cần 8–128 ký tự ASCII nhìn thấy được, ví dụ một UUID', en: 'Must be 8–128 visible ASCII characters, e.g. a UUID' },
  'error.idempotency_key_reused': {
    vi: 'Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác',
    en: 'This Idempotency-Key was already used for a different request',
  },
  'error.request_in_progress': { vi: 'Yêu cầu giống hệt đang được xử lý; hãy thử lại sau giây lát', en: 'The same request is still being processed; retry in a moment' },
  'error.request_completed_elsewhere': {
    vi: 'Yêu cầu giống hệt vừa được một lần gửi khác hoàn tất; hãy gửi lại để nhận kết quả',
    en: 'The same request was completed by another attempt; retry to get its answer',
  },
  'area.outside_region': { vi: 'Vị trí này nằm ngoài tỉnh Đắk Lắk', en: 'The point is outside Đắk Lắk province' },

  // Form inputs (zod schemas name these keys; see zodFieldErrors)
  'input.required': { vi: 'Cần nhập ô “{field}”', en: '{field} is required' },
  'input.too_short': { vi: '{field} cần ít nhất {min} ký tự', en: '{field} must be at least {min} characters' },
  'input.too_long': { vi: '{field} chỉ được tối đa {max} ký tự', en: '{field} must be at most {max} characters' },
  'input.control_characters': { vi: '{field} chứa ký tự điều khiển không hợp lệ', en: '{field} contains invalid control characters' },
  'input.boolean': { vi: 'Giá trị của ô “{field}” không hợp lệ', en: '{field} must be true or false' },
  'input.invalid': { vi: '{field} không hợp lệ', en: '{field} is invalid' },
  'input.field_code': { vi: 'Lĩnh vực không hợp lệ', en: 'field must be a field code' },
  'input.lat_number': { vi: 'Vĩ độ phải là một số', en: 'lat must be a number' },
  'input.lat_finite': { vi: 'Vĩ độ phải là một số hữu hạn', en: 'lat must be a finite number' },
  'input.lat_range': { vi: 'Vĩ độ phải nằm trong khoảng -90 đến 90', en: 'lat must be between -90 and 90' },
  'input.lon_number': { vi: 'Kinh độ phải là một số', en: 'lon must be a number' },
  'input.lon_finite': { vi: 'Kinh độ phải là một số hữu hạn', en: 'lon must be a finite number' },
  'input.lon_range': { vi: 'Kinh độ phải nằm trong khoảng -180 đến 180', en: 'lon must be between -180 and 180' },
  'input.phone': { vi: 'Số điện thoại không hợp lệ; hãy nhập số Việt Nam, ví dụ 0912345678', en: 'phone must be a Vietnamese phone number, e.g. 0912345678' },
  'input.email': { vi: 'Địa chỉ e-mail không hợp lệ', en: 'email is not a valid address' },
  'input.email_long': { vi: 'Địa chỉ e-mail quá dài', en: 'email is too long' },
  'input.tracking_code': { vi: 'Mã theo dõi gồm 8 ký tự', en: 'code must be an 8-character tracking code' },
  'input.cursor': { vi: 'Con trỏ trang không hợp lệ; hãy dùng next_cursor của trang trước', en: 'Invalid cursor; use next_cursor from the previous page' },
  // Place search (/api/places)
  'input.place_query': { vi: 'Hãy nhập tên đường, địa điểm hoặc phường/xã cần tìm', en: 'q is required: the name of a street, place or ward' },
  'input.place_query_long': { vi: 'Từ khóa tìm kiếm chỉ được tối đa 100 ký tự', en: 'q must be at most 100 characters' },
  'input.place_limit': { vi: 'Số kết quả phải là số nguyên từ 1 đến 20', en: 'limit must be a whole number between 1 and 20' },
  'input.place_near': { vi: 'Vị trí tham chiếu phải có dạng “vĩ độ,kinh độ”, ví dụ 12.68,108.04', en: 'near must be "lat,lon", e.g. near=12.68,108.04' },

  // Filing, tracking, following and rating a report
  'report.not_found': { vi: 'Không tìm thấy phản ánh', en: 'Report not found' },
  'report.unknown_field': { vi: 'Không có lĩnh vực “{code}”', en: 'Unknown field "{code}"' },
  'report.consent_required': {
    vi: 'Hãy đánh dấu ô đồng ý với cách sử dụng thông tin liên hệ, hoặc để trống các ô đó',
    en: 'Tick the box agreeing to how your contact details are used, or leave them empty',
  },
  'report.consent_required.field': {
    vi: 'Thông tin liên hệ chỉ được lưu khi bạn đồng ý: đánh dấu ô bên dưới, hoặc để trống ô này',
    en: 'Contact details are stored only with your consent: tick the box below, or leave this empty',
  },
  'report.spam_suspected': {
    vi: 'Biểu mẫu này có vẻ do một chương trình điền nên chưa được nhận. Nếu bạn là người thật, hãy tải lại trang và gửi lại.',
    en: 'This form looks filled in by a program, so it was not accepted. If you are a person, reload the page and send it again.',
  },
  'report.spam_suspected.field': { vi: 'Hãy để trống ô này', en: 'Leave this field empty' },
  'report.outside_region': {
    vi: 'Vị trí đã ghim nằm ngoài tỉnh Đắk Lắk. Hãy di chuyển ghim đến nơi xảy ra sự việc.',
    en: 'The pin is outside Đắk Lắk province. Move it to where the problem is.',
  },
  'report.outside_region.field': { vi: 'Ngoài tỉnh Đắk Lắk', en: 'Outside Đắk Lắk' },
  'report.duplicate': {
    vi: 'Bạn đã gửi phản ánh giống hệt {minutes} phút trước; mã theo dõi của nó là {code}.',
    en: 'You sent the same report {minutes} min ago; its tracking code is {code}.',
  },
  'report.finished': {
    vi: 'Phản ánh này đã kết thúc; nếu sự việc tái diễn, hãy gửi phản ánh mới',
    en: 'This report is already finished; file a new one if the problem is back',
  },
  'report.invalid_confirmation': {
    vi: 'Liên kết xác nhận này không dùng được: đã được dùng, đã hết hạn hoặc thuộc về phản ánh khác.',
    en: 'This confirmation link does not work: it was already used, it has expired, or it belongs to another report.',
  },
  'report.invalid_token': { vi: 'Liên kết quản lý không đúng với phản ánh này', en: 'The management link is not valid for this report' },
  'report.not_resolved': { vi: 'Chỉ đánh giá được sau khi phản ánh đã được xử lý xong', en: 'A report can be rated only after it has been resolved' },

  // Uploads
  'upload.not_multipart': { vi: 'Hãy gửi phản ánh dưới dạng multipart/form-data', en: 'Send the report as multipart/form-data' },
  'upload.no_body': { vi: 'Yêu cầu không có nội dung', en: 'The request has no body' },
  'upload.malformed': { vi: 'Dữ liệu multipart bị lỗi định dạng', en: 'The multipart body is malformed' },
  'upload.interrupted': { vi: 'Việc tải lên bị gián đoạn', en: 'The upload was interrupted' },
  'upload.field_too_long': { vi: '{field} quá dài', en: '{field} is too long' },
  'upload.not_a_file_field': { vi: '“{field}” không phải ô nhận tệp', en: '{field} is not an accepted file field' },
  'upload.too_many_in_field': { vi: 'Chỉ được gửi tối đa {max} tệp ở ô “{field}”', en: 'At most {max} file(s) in {field}' },
  'upload.file_too_large': { vi: 'Mỗi tệp ở ô “{field}” chỉ được tối đa {limit}', en: 'Each file in {field} must be at most {limit}' },
  'upload.file_too_large.field': { vi: 'Mỗi tệp chỉ được tối đa {limit}', en: 'Each file must be at most {limit}' },
  'upload.total_too_large': { vi: 'Tổng dung lượng tải lên vượt quá {mb} MB', en: 'The upload is larger than {mb} MB in total' },
  'upload.too_many_files': { vi: 'Quá nhiều tệp', en: 'Too many files' },
  'upload.too_many_fields': { vi: 'Quá nhiều ô dữ liệu', en: 'Too many fields' },
  'upload.too_many_parts': { vi: 'Quá nhiều phần dữ liệu', en: 'Too many parts' },

  // Photos and videos
  'media.not_found': { vi: 'Không tìm thấy ảnh hoặc video', en: 'Media not found' },
  'media.range_not_satisfiable': { vi: 'Đoạn dữ liệu yêu cầu nằm ngoài tệp ({bytes} byte)', en: 'The requested range lies outside the file ({bytes} bytes)' },
  'media.type_refused': { vi: '{field}: chỉ nhận tệp {types}', en: '{field}: only {types} files are accepted' },
  'media.type_refused.field': { vi: 'Không nhận loại tệp {type}', en: 'File type {type} is not accepted' },
  'media.too_many_pixels': { vi: '{field}: ảnh lớn hơn 40 megapixel', en: '{field}: the image has more than 40 megapixels' },
  'media.too_many_pixels.field': { vi: 'Ảnh lớn hơn 40 megapixel', en: 'The image has more than 40 megapixels' },
  'media.heic_unsupported': {
    vi: '{field}: máy chủ này không đọc được ảnh HEIC; hãy gửi ảnh JPEG',
    en: '{field}: this server cannot read HEIC photos; please send a JPEG',
  },
  'media.heic_unsupported.field': {
    vi: 'Máy chủ không đọc được ảnh HEIC. Trên iPhone, hãy chọn ảnh từ thư viện ảnh (máy tự chuyển sang JPEG) hoặc đặt Máy ảnh → Định dạng → Tương thích nhất.',
    en: 'This server cannot read HEIC photos. On an iPhone, pick the photo from the photo library (it is converted to JPEG) or set Camera → Formats → Most Compatible.',
  },
  'media.not_an_image': { vi: '{field}: tệp không phải ảnh hợp lệ', en: '{field}: the file is not a valid image' },
  'media.not_an_image.field': { vi: 'Không phải ảnh hợp lệ', en: 'Not a valid image' },
  'media.video_unavailable': {
    vi: 'Máy chủ này chưa thể xóa siêu dữ liệu của video (chưa cài ffmpeg) nên chưa nhận video. Vui lòng gửi ảnh.',
    en: 'This server cannot strip video metadata (ffmpeg is not installed), so videos are not accepted. Please attach photos instead.',
  },
  'media.video_unavailable.field': { vi: 'Máy chủ này chưa nhận video', en: 'Videos are not accepted on this server' },
  'media.not_a_video': { vi: '{field}: tệp không phải video phát được', en: '{field}: the file is not a playable video' },
  'media.not_a_video.field': { vi: 'Không phải video phát được', en: 'Not a playable video' },

  // Public timeline: a label per event, and the notes the system writes (staff notes are shown as written)
  'timeline.received': { vi: 'Đã tiếp nhận phản ánh', en: 'Report received' },
  'timeline.assigned': { vi: 'Đã chuyển cho {unit}', en: 'Assigned to {unit}' },
  'timeline.assigned_no_unit': { vi: 'Đã chuyển cho đơn vị xử lý', en: 'Assigned to the responsible unit' },
  'timeline.transferred': { vi: 'Đã chuyển tiếp cho {unit}', en: 'Transferred to {unit}' },
  'timeline.verified': { vi: 'Đã xác minh', en: 'Verified' },
  'timeline.in_progress': { vi: 'Đang xử lý', en: 'Handling started' },
  'timeline.progress': { vi: 'Cập nhật tiến độ', en: 'Progress update' },
  'timeline.response': { vi: 'Trả lời chính thức', en: 'Official answer' },
  'timeline.resolved': { vi: 'Đã xử lý xong', en: 'Resolved' },
  'timeline.rated': { vi: 'Người dân đã đánh giá', en: 'Rated by the citizen' },
  'timeline.closed': { vi: 'Đã đóng', en: 'Closed' },
  'timeline.reopened': { vi: 'Đã mở lại', en: 'Reopened' },
  'timeline.rejected': { vi: 'Không thụ lý', en: 'Not accepted' },
  'timeline.withdrawn': { vi: 'Người gửi đã rút lại', en: 'Withdrawn by the sender' },
  'timeline.merged': { vi: 'Đã gộp vào phản ánh {code}', en: 'Merged into report {code}' },
  'timeline.external_update': { vi: 'Cập nhật từ hệ thống khác', en: 'Update from another system' },
  'timeline.other': { vi: 'Cập nhật', en: 'Update' },
  'timeline.note.satisfied': { vi: 'Người dân hài lòng', en: 'The citizen is satisfied' },
  'timeline.note.not_satisfied': { vi: 'Người dân chưa hài lòng', en: 'The citizen is not satisfied' },
  'timeline.note.auto_closed': { vi: 'Tự động kết thúc sau 7 ngày không có đánh giá', en: 'Closed automatically after 7 days without a rating' },
  'timeline.note.auto_assigned': { vi: 'Tự động chuyển theo địa bàn và lĩnh vực', en: 'Assigned automatically by area and field' },
  'timeline.note.auto_assigned_rule': { vi: 'Tự động chuyển theo quy tắc: {rule}', en: 'Assigned automatically by the rule: {rule}' },
} as const satisfies Record<string, Template>;

export type MessageKey = keyof typeof MESSAGES;
export type MessageParams = Record<string, string | number>;

/** A sentence not yet written in any language: rendered when the reader's language is known. */
export interface Message {
  key: MessageKey;
  params?: MessageParams;
}

/** What the server says to people: a catalogued message, or plain text not yet catalogued (English). */
export type Text = string | Message;

/** Input names as labels, for `{field}`; a name not listed is shown as it is. */
const FIELD_LABELS: Record<string, Template> = {
  field: { vi: 'Lĩnh vực', en: 'field' },
  title: { vi: 'Tiêu đề', en: 'title' },
  description: { vi: 'Nội dung', en: 'description' },
  name: { vi: 'Họ tên', en: 'name' },
  phone: { vi: 'Số điện thoại', en: 'phone' },
  email: { vi: 'E-mail', en: 'email' },
  hide_name: { vi: 'Ẩn tên', en: 'hide_name' },
  contact_consent: { vi: 'Ô đồng ý', en: 'contact_consent' },
  lat: { vi: 'Vĩ độ', en: 'lat' },
  lon: { vi: 'Kinh độ', en: 'lon' },
  comment: { vi: 'Nhận xét', en: 'comment' },
  reason: { vi: 'Lý do', en: 'reason' },
  satisfied: { vi: 'Mức hài lòng', en: 'satisfied' },
  manage_token: { vi: 'Mã quản lý', en: 'manage_token' },
  token: { vi: 'Mã xác nhận', en: 'token' },
  code: { vi: 'Mã theo dõi', en: 'code' },
  message: { vi: 'Tin nhắn', en: 'message' },
  photos: { vi: 'Ảnh', en: 'photos' },
  video: { vi: 'Video', en: 'video' },
};

/** Builds a catalogued message. @example msg('report.duplicate', { minutes: 3, code: 'ABCD2345' }) */
export const msg = (key: MessageKey, params?: MessageParams): Message => (params ? { key, params } : { key });

/** Whether a string is a catalogue key: zod schemas carry keys as their messages. */
export const isMessageKey = (value: string): value is MessageKey => Object.hasOwn(MESSAGES, value);

/** The label of an input ("photos[0]" is labelled as "photos"), in the reader's language. */
export function fieldLabel(lang: Lang, name: string): string {
  const [base, index] = name.split(/(?=\[)/);
  const label = FIELD_LABELS[base!]?.[lang];
  return label ? `${label}${index && lang === 'vi' ? ` ${Number(index.slice(1, -1)) + 1}` : index ?? ''}` : name;
}

/** Writes a text in a language; plain strings pass through unchanged. */
export function render(lang: Lang, text: Text): string {
  if (typeof text === 'string') return text;
  const params = text.params ?? {};
  return MESSAGES[text.key][lang].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return name === 'field' ? fieldLabel(lang, String(value)) : String(value);
  });
}

/** Every key of the catalogue, for the completeness test. */
export const messageKeys = () => Object.keys(MESSAGES) as MessageKey[];

/** A catalogue key where only a string fits (zod messages); zodFieldErrors turns it back into a message. */
export const messageKey = (key: MessageKey): string => key;
