export type Lang = 'vi' | 'en';

/** Where a guided filing has got to. Travels with each request; the server is stateless. */
export interface AssistantState {
  flow?: 'file';
  step?: 'problem' | 'location' | 'details' | 'done';
  field?: string;
  title?: string;
  description?: string;
  lat?: number;
  lon?: number;
}

export type Intent =
  | 'emergency'
  | 'status'
  | 'file'
  | 'planning'
  | 'faq_how'
  | 'faq_time'
  | 'faq_rating'
  | 'greeting'
  | 'cancel'
  | 'fallback';

export interface AssistantInput {
  message: string;
  /** The client's language, used when the message itself could be either (short text without tone marks). */
  lang?: Lang;
  state?: AssistantState;
  /** Where the person is, when the client shares it. */
  location?: { lat: number; lon: number };
}

export type AssistantAction =
  | { type: 'open_form'; url: string }
  | { type: 'open_report'; url: string }
  | { type: 'open_planning'; url: string }
  | { type: 'call'; number: string }
  | { type: 'ask_location' };

export interface Reply {
  reply: string;
  intent: Intent;
  lang: Lang;
  /** Short answers the client can offer as buttons. */
  suggestions: string[];
  /** Echoed back by the client on the next turn; the server keeps nothing. */
  state: AssistantState;
  action?: AssistantAction;
}

/** What a report looks like to the assistant: the public view only, never contact details. */
export interface PublicStatus {
  code: string;
  title: string;
  status: string;
  field: { code: string; name_vi: string; name_en: string };
  unit: { name_vi: string | null; name_en: string | null } | null;
  due_at: string | null;
  last_note: string | null;
}

export interface FieldInfo {
  code: string;
  name_vi: string;
  name_en: string;
  /** Working days to handle a report. */
  deadline_days: number;
}

/** The I/O a backend may use; each is read-only and public. */
export interface AssistantContext {
  findPublicStatus(code: string): Promise<PublicStatus | undefined>;
  listFields(): Promise<FieldInfo[]>;
  /** Present only when the planning lookup service exists. */
  planningLookup?: (lat: number, lon: number) => Promise<{ summary_vi: string; summary_en: string } | undefined>;
}

/** One way of answering; the rule-based engine now, a language model later, behind the same contract. */
export interface AssistantBackend {
  readonly name: string;
  reply(input: AssistantInput, context: AssistantContext): Promise<Reply>;
}
