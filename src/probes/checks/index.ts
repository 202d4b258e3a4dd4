/**
 * The kinds of check, in the order a check asks them (docs/checks.md "What a check is"). A new
 * kind is a module beside these (`CheckKind`: its request, its judgement, what it reports) and an
 * entry in `CHECK_KINDS`; a field of a passed result that no kind reports does not compile.
 */
import type { ProbeResult, SoftSignal } from '../../mesh/types.js';
import type { Endpoint } from '../endpoint.js';
import { looksLikeHtml } from '../failure-text.js';
import { CheckFailure, type Deadline, type NodeRequest, sendToNode } from '../node-request.js';
import { InvalidBodyError } from '../ollama-bodies.js';
import { installedModelsCheck } from './installed-models.js';
import type { CheckKind } from './kind.js';
import { loadedModelsCheck } from './loaded-models.js';
import { versionCheck } from './version.js';

const CHECK_KINDS = [versionCheck, installedModelsCheck, loadedModelsCheck] as const;

/** What the kinds report, together. */
type Reported = UnionToIntersection<ReturnType<(typeof CHECK_KINDS)[number]['report']>>;
type UnionToIntersection<U> = (U extends unknown ? (part: U) => void : never) extends (part: infer I) => void
  ? I
  : never;

/** A passed check's fields, but for those of the probe itself (time, deep part, signals). */
export type CheckedFields = Omit<Extract<ProbeResult, { ok: true }>, 'ok' | 'latencyMs' | 'deep' | 'signals'>;

export interface CheckAnswers {
  fields: CheckedFields;
  /** The soft signals the answers show at `now`. */
  signals(now: number): SoftSignal[];
}

/** Asks every kind in turn before `deadline`. @throws CheckFailure for the first that fails. */
export async function askEveryKind(
  endpoint: Endpoint,
  get: NodeRequest,
  deadline: Deadline,
): Promise<CheckAnswers> {
  const answers: Answered[] = [];
  for (const kind of CHECK_KINDS)
    answers.push(await ask(kind as CheckKind<unknown, object>, endpoint, get, deadline));
  const fields: Reported = Object.assign({}, ...answers.map((answer) => answer.fields));
  return { fields, signals: (now) => answers.flatMap((answer) => answer.signals(now)) };
}

interface Answered {
  fields: object;
  signals(now: number): SoftSignal[];
}

/** One GET before the deadline, its body judged by the kind. */
async function ask<Answer>(
  kind: CheckKind<Answer, object>,
  endpoint: Endpoint,
  get: NodeRequest,
  deadline: Deadline,
): Promise<Answered> {
  const response = await sendToNode(endpoint, kind.path, get, deadline);
  let answer: Answer;
  try {
    answer = kind.parse(response.body);
  } catch (error) {
    if (!(error instanceof InvalidBodyError)) throw error;
    if (error.problem === 'shape')
      throw new CheckFailure('invalid', `invalid response from ${kind.path}: ${error.message}`);
    const html = looksLikeHtml(response.contentType, response.body) ? ' (got HTML)' : '';
    throw new CheckFailure('invalid', `invalid JSON from ${kind.path}${html}`);
  }
  return { fields: kind.report(answer), signals: (now) => kind.signals?.(answer, now) ?? [] };
}
