/**
 * Deadlines in working days, as Vietnamese administrative rules count them
 * (Labour Code 2019, arts. 111–112): Saturdays, Sundays and public holidays
 * do not count.
 */

// Vietnam has used UTC+7 without daylight saving since 1975, so a fixed
// offset gives the Asia/Ho_Chi_Minh calendar date without Intl (which is slow
// in a loop over a million reports).
const VN_OFFSET_MS = 7 * 3600_000;
const DAY_MS = 86_400_000;

/** The Asia/Ho_Chi_Minh calendar date of an instant, as 'YYYY-MM-DD'. */
export function vnDate(instant: Date): string {
  return new Date(instant.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * Adds `days` working days to `start`: the result is the same local time of
 * day on the days-th working day after start's local date (so a report filed
 * on Saturday at 10:00 with one working day is due Monday at 10:00).
 * `holidays` and `workingWeekends` (make-up Saturdays) are local dates 'YYYY-MM-DD'.
 * @example addWorkingDays(new Date('2025-04-29T03:00:00Z'), 1, VN_PUBLIC_HOLIDAYS) // 2025-05-05T03:00:00Z
 */
export function addWorkingDays(
  start: Date,
  days: number,
  holidays: Set<string>,
  workingWeekends: Set<string> = new Set(),
): Date {
  if (!Number.isInteger(days) || days < 0) throw new Error(`days must be a non-negative integer, got ${days}`);
  if (Number.isNaN(start.getTime())) throw new Error('start is an invalid date');
  // Work on the local wall clock stored in a UTC Date, so getUTCDay() is the local weekday.
  let local = start.getTime() + VN_OFFSET_MS;
  let left = days;
  while (left > 0) {
    local += DAY_MS;
    const d = new Date(local);
    const ymd = d.toISOString().slice(0, 10);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    if (workingWeekends.has(ymd) || (!weekend && !holidays.has(ymd))) left--;
  }
  return new Date(local - VN_OFFSET_MS);
}

/**
 * Public holidays of Vietnam that fall on weekdays, 2025–2027 (weekend days
 * inside a break are left out: they are not working days anyway).
 *
 * Sources: Labour Code 2019 art. 112 (the statutory holidays: 1/1; Tết
 * Nguyên Đán 5 days; Hùng Kings 10/3 lunar; 30/4; 1/5; 2/9 plus the day
 * before or after) and art. 111(3) (a holiday on a weekend is compensated on
 * the next working day). Lunar dates were computed with Hồ Ngọc Đức's
 * Vietnamese lunar calendar algorithm (UTC+7): Tết 29/01/2025, 17/02/2026,
 * 06/02/2027; 10/3 lunar = 07/04/2025, 26/04/2026 (Sunday), 16/04/2027.
 */
export const VN_PUBLIC_HOLIDAYS: Set<string> = new Set([
  // 2025, as announced by MOLISA, Thông báo 6150/TB-LĐTBXH (12/11/2024).
  '2025-01-01', // Tết Dương lịch (Wednesday)
  '2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', // Tết Ất Tỵ: break Sat 25/01 – Sun 02/02
  '2025-04-07', // Giỗ Tổ Hùng Vương, 10/3 lunar (Monday)
  '2025-04-30', '2025-05-01', // Reunification Day, Labour Day
  '2025-05-02', // swapped with Saturday 26/04/2025 (see VN_MAKEUP_WORKDAYS), same notice
  '2025-09-01', '2025-09-02', // Quốc khánh 2/9 plus Monday 1/9 (break Sat 30/08 – Tue 02/09)

  // 2026: statutory days per the Labour Code and the lunar calendar.
  '2026-01-01', // Tết Dương lịch (Thursday)
  // Tết Bính Ngọ (1/1 lunar = Tue 17/02): five weekdays Mon 16/02 (29 Tết) – Fri 20/02,
  // the break Sat 14/02 – Sun 22/02 announced by the Ministry of Home Affairs.
  '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20',
  '2026-04-27', // Hùng Kings 10/3 lunar falls on Sunday 26/04: compensated Monday (art. 111(3))
  '2026-04-30', '2026-05-01', // Thursday, Friday
  // Quốc khánh (Wednesday) plus the adjacent day. ASSUMPTION: Tuesday 1/9 chosen
  // as the extra day; replace if the government's notice picks Thursday 3/9.
  '2026-09-01', '2026-09-02',

  // 2027: statutory days; official break plans not yet announced.
  '2027-01-01', // Tết Dương lịch (Friday)
  // Tết Đinh Mùi (1/1 lunar = Sat 06/02). ASSUMPTION: the 5 statutory days are
  // 30 Tết (Fri 05/02) to mùng 4 (Tue 09/02); the Saturday and Sunday among them
  // are compensated on Wed 10/02 and Thu 11/02.
  '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11',
  '2027-04-16', // Hùng Kings, 10/3 lunar (Friday)
  '2027-04-30', // Friday
  '2027-05-03', // 1/5 falls on Saturday: compensated Monday (art. 111(3))
  // Quốc khánh (Thursday) plus the adjacent day. ASSUMPTION: Friday 3/9.
  '2027-09-02', '2027-09-03',
]);

/** Saturdays the government turned into working days to pay for a swapped day off. */
export const VN_MAKEUP_WORKDAYS: Set<string> = new Set([
  '2025-04-26', // pays for Friday 02/05/2025 (Thông báo 6150/TB-LĐTBXH)
]);
