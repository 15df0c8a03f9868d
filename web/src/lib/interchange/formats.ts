import {
  interchangeFormatLabels,
  interchangeFormats,
  MAX_INTERCHANGE_FILE_CHARS,
  type InterchangeFormat,
} from '@exam-hall/protocol';

export { interchangeFormatLabels, interchangeFormats, type InterchangeFormat };
export const MAX_FILE_BYTES = MAX_INTERCHANGE_FILE_CHARS;

/** The format a file most likely is, from its name and first characters; null when unsure. */
export function guessFormat(name: string, head: string): InterchangeFormat | null {
  if (/qti-assessment-item/.test(head)) return 'qti3';
  if (/<quiz[\s>]/.test(head)) return 'moodle_xml';
  if (/\.(gift|txt)$/i.test(name)) return 'gift';
  return null;
}
