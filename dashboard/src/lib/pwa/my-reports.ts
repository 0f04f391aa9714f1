/**
 * The tracking codes filed from this device, newest first, in localStorage.
 * The manage link is kept too: it is this person's own, and it lets them
 * rate or withdraw later without digging out the confirmation.
 */
export interface MyReport {
  code: string;
  title: string;
  field: string;
  filedAt: string;
  manageUrl?: string;
}

const KEY = 'civic-ops.my-reports';
const MAX = 200;

export function listMyReports(): MyReport[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as MyReport[]).filter((r) => typeof r?.code === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberMyReport(report: MyReport) {
  const rest = listMyReports().filter((r) => r.code !== report.code);
  try {
    localStorage.setItem(KEY, JSON.stringify([report, ...rest].slice(0, MAX)));
  } catch {
    // Storage full or disabled (private mode): the confirmation still shows the code.
  }
}
