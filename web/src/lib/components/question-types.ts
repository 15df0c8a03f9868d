import type { QuestionTypeName } from '@exam-hall/protocol';

export const typeLabels: Record<QuestionTypeName, string> = {
  single_choice: 'Single choice',
  multiple_choice: 'Multiple choice',
  true_false: 'True or false',
  short_answer: 'Short answer',
  numeric: 'Numeric',
  essay: 'Essay',
  matching: 'Matching',
  ordering: 'Ordering',
  fill_blanks: 'Fill in the blanks',
};
