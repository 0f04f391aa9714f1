import { askAssistant, type AssistantReply, type AssistantState } from '../api.js';
import { i18n } from '../i18n.svelte.js';

export interface ChatMessage {
  id: number;
  from: 'user' | 'assistant';
  text: string;
  action?: AssistantReply['action'];
  suggestions?: string[];
}

/** One conversation with the assistant; its state goes back to the server with every message. */
export class AssistantChat {
  messages = $state.raw<ChatMessage[]>([]);
  busy = $state(false);
  error = $state<string | null>(null);
  private state: AssistantState | undefined;
  private nextId = 1;
  private request: AbortController | undefined;

  async send(message: string, location?: { lat: number; lon: number }) {
    const text = message.trim().slice(0, 500);
    if (!text || this.busy) return;
    this.error = null;
    this.messages = [...this.messages, { id: this.nextId++, from: 'user', text }];
    this.busy = true;
    const request = (this.request = new AbortController());
    try {
      const reply = await askAssistant({ message: text, lang: i18n.lang, state: this.state, ...(location ? { location } : {}) }, request.signal);
      this.state = reply.state;
      this.messages = [
        ...this.messages,
        { id: this.nextId++, from: 'assistant', text: reply.reply, action: reply.action, suggestions: reply.suggestions },
      ];
      return reply;
    } catch (error) {
      if ((error as Error).name !== 'AbortError') this.error = i18n.t('assistant.error');
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  dispose() {
    this.request?.abort();
  }
}
