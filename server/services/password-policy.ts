import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

/** ASVS 5.0 V6.2.1: at least 12 characters; V6.2.9: at least 64 allowed (we allow 256). */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
/** zxcvbn's 0–4; 3 means "safely unguessable" (~10^8 guesses) even offline against a slow hash. */
const MIN_SCORE = 3;

// Built once: loading the dictionaries takes ~100 ms and they never change.
let factory: ZxcvbnFactory | undefined;
function strength() {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
    // Scoring is superlinear in the length; the first 100 characters decide it anyway.
    maxLength: 100,
  });
  return factory;
}

/**
 * Why a password may not be used, or undefined when it may: too short, too
 * long, or guessable (a common or breached password from the bundled
 * dictionaries, a keyboard walk or sequence, or built from the user's own
 * name). ASVS 5.0 V6.2.4 and V6.2.11 (context-specific words).
 *
 * @example passwordProblem('1234567890', ['admin']) // 'At least 12 characters'
 */
export function passwordProblem(password: string, userInputs: string[] = []): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `At least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `At most ${MAX_PASSWORD_LENGTH} characters`;
  const inputs = [...userInputs, 'civic', 'civicops', 'daklak', 'phananh'].filter(Boolean);
  const result = strength().check(password, inputs);
  if (result.score >= MIN_SCORE) return undefined;
  const why = result.feedback.warning ?? result.feedback.suggestions[0];
  return `Too easy to guess${why ? ` (${why.replace(/\.$/, '')})` : ''}: choose a longer passphrase of unrelated words`;
}
