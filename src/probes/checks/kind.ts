/**
 * A kind of check: what it asks a node and how it judges the answer, in one place. A check asks
 * every kind of `CHECK_KINDS` (`index.ts`) in turn, under one deadline; a failed request or an
 * answer judged invalid fails the check. What a passed check reports is the kinds' `report`s.
 */
import type { SoftSignal } from '../../mesh/types.js';

export interface CheckKind<Answer, Reported extends object> {
  /** The path it GETs. */
  path: string;
  /**
   * Judges the answer's body: what it says, or an `InvalidBodyError` when it is not what Ollama
   * answers (the check fails `invalid`, naming the path).
   */
  parse(body: string): Answer;
  /** The fields of a passed check's result that it gives. */
  report(answer: Answer): Reported;
  /** What its answer shows that deserves a WARNING but no recovery (judged once the check is done). */
  signals?(answer: Answer, now: number): SoftSignal[];
}
