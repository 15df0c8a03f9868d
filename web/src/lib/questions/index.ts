// Question types and their components: the student's view (answering) for the types added
// after the choice types (single choice, multiple choice and true/false are drawn by
// ExamQuestion itself), and the teacher's editor (content and answer key) for every type.
import type { Component } from 'svelte';
import type { Question, QuestionTypeName, StudentQuestion } from '@exam-hall/protocol';
import ShortAnswerView from './ShortAnswerView.svelte';
import NumericView from './NumericView.svelte';
import EssayView from './EssayView.svelte';
import MatchingView from './MatchingView.svelte';
import OrderingView from './OrderingView.svelte';
import FillBlanksView from './FillBlanksView.svelte';
import ChoiceEditor, * as choice from './ChoiceEditor.svelte';
import ShortAnswerEditor, * as shortAnswer from './ShortAnswerEditor.svelte';
import NumericEditor, * as numeric from './NumericEditor.svelte';
import EssayEditor, * as essay from './EssayEditor.svelte';
import MatchingEditor, * as matching from './MatchingEditor.svelte';
import OrderingEditor, * as ordering from './OrderingEditor.svelte';
import FillBlanksEditor, * as fillBlanks from './FillBlanksEditor.svelte';
import './editors.css';

export const componentTypes = ['short_answer', 'numeric', 'essay', 'matching', 'ordering', 'fill_blanks'] as const;
export type ComponentType = (typeof componentTypes)[number];
export const hasComponents = (type: QuestionTypeName | 'unknown'): type is ComponentType =>
  (componentTypes as readonly string[]).includes(type);

/** What ExamQuestion hands a student view. A cleared answer is reported as null. */
export interface ViewProps<Q extends StudentQuestion = StudentQuestion> {
  question: Q;
  /** Prefix for element ids, unique per question on the page. */
  base: string;
  response: unknown;
  disabled: boolean;
  onanswer: (response: unknown) => void;
}

export const questionViews = {
  short_answer: ShortAnswerView,
  numeric: NumericView,
  essay: EssayView,
  matching: MatchingView,
  ordering: OrderingView,
  fill_blanks: FillBlanksView,
} as const satisfies Record<ComponentType, Component<never>>;

/** What QuestionForm hands an editor: its own part of the draft (changed in place), ids and errors. */
export interface EditorProps<P = unknown> {
  part: P;
  type: QuestionTypeName;
  /** Prefix for element ids, unique per form; an input's id is prefix + fieldId(its error key). */
  prefix: string;
  errors: Record<string, string>;
  /** The prompt as typed (fill in the blanks reads its gap markers). */
  prompt: string;
}

export interface EditorEntry<P = unknown> {
  /** Types sharing a key share one draft (switching between choice types keeps the options). */
  key: string;
  editor: Component<EditorProps<P>>;
  /** The editor's draft for a stored question, or a fresh one. */
  init(q: Question | undefined): P;
  /** Content and answer key for the input schema (left for the schema to judge). */
  toInput(part: P, prompt: string, type: QuestionTypeName): { content: unknown; answerKey: unknown };
  /** Moves or rewords the schema's messages before they are shown (in place). */
  explain?(errors: Record<string, string>, part: P, type: QuestionTypeName): void;
}

const entry = <P>(key: string, e: Omit<EditorEntry<P>, 'key'>) => ({ key, ...e }) as unknown as EditorEntry;

const choiceEntry = entry('choice', { editor: ChoiceEditor, ...choice });

export const questionEditors: Record<QuestionTypeName, EditorEntry> = {
  single_choice: choiceEntry,
  multiple_choice: choiceEntry,
  true_false: choiceEntry,
  short_answer: entry('short_answer', { editor: ShortAnswerEditor, ...shortAnswer }),
  numeric: entry('numeric', { editor: NumericEditor, ...numeric }),
  essay: entry('essay', { editor: EssayEditor, ...essay }),
  matching: entry('matching', { editor: MatchingEditor, ...matching }),
  ordering: entry('ordering', { editor: OrderingEditor, ...ordering }),
  fill_blanks: entry('fill_blanks', { editor: FillBlanksEditor, ...fillBlanks }),
};
