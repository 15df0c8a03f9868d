// Files from outside are untrusted: nothing in them may crash the process, expand entities,
// reach the file system or run away with the CPU. Each is refused with a reason a person can act on.
import { describe, expect, it } from 'vitest';
import { parseQuestionFile } from '../../src/modules/interchange/interchange.service.ts';
import { UnreadableFile } from '../../src/modules/interchange/report.ts';

const refused = (format: 'moodle_xml' | 'gift' | 'qti3', text: string) => {
  try {
    parseQuestionFile(format, text);
  } catch (err) {
    expect(err).toBeInstanceOf(UnreadableFile);
    return (err as Error).message;
  }
  throw new Error('expected the file to be refused');
};

describe('hostile question files', () => {
  it('an external entity (XXE) is refused before parsing: no file is read', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>
      <quiz><question type="truefalse"><questiontext><text>&x;</text></questiontext>
      <answer fraction="100"><text>true</text></answer></question></quiz>`;
    expect(refused('moodle_xml', xxe)).toMatch(/DTD or entities .* not accepted/);
    expect(refused('qti3', xxe.replace('quiz', 'qti-assessment-item'))).toMatch(/DTD/);
  });

  it('billion laughs is refused without expanding anything', () => {
    const lol = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const doc = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${lol}]><quiz><question type="essay"><questiontext><text>&lol9;</text></questiontext></question></quiz>`;
    const start = performance.now();
    expect(refused('moodle_xml', doc)).toMatch(/DTD/);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('garbage, a wrong root and deep nesting answer what is wrong', () => {
    expect(refused('moodle_xml', 'PK\u0003\u0004 not xml')).toMatch(/not well-formed XML \(line 1, column 1/);
    expect(refused('moodle_xml', '<html><body>hi</body></html>')).toMatch(/root element must be <quiz>/);
    expect(refused('qti3', '<assessmentItem identifier="x"/>')).toMatch(/no <qti-assessment-item>/);
    const deep = `<quiz>${'<a>'.repeat(20000)}${'</a>'.repeat(20000)}</quiz>`;
    expect(refused('moodle_xml', deep)).toMatch(/could not be read/);
    expect(parseQuestionFile('gift', '{{{ ::: }}}').report.entries[0]!.outcome).toBe('skipped');
  });

  it('too many questions are refused before any is parsed', () => {
    const q = '<question type="truefalse"><questiontext><text>x</text></questiontext></question>';
    expect(refused('moodle_xml', `<quiz>${q.repeat(1001)}</quiz>`)).toMatch(/1001 questions; at most 1000/);
    expect(refused('gift', Array.from({ length: 1001 }, (_, i) => `Q${i} {T}`).join('\n\n'))).toMatch(/1001 questions/);
  });

  it('a GIFT question far too long is skipped with a hint, not parsed', () => {
    const r = parseQuestionFile('gift', `Fine {T}\n\n${'x'.repeat(300 * 1024)} {T}`);
    expect(r.report.imported).toBe(1);
    expect(r.report.entries[1]!.reason).toMatch(/300 KB long; at most 256 KB \(is a blank line missing/);
  });

  it('GIFT garbage is a per-question syntax error naming the line', () => {
    const r = parseQuestionFile('gift', 'Good {T}\n\n::x:: { =a ~b\n\nAlso good {F}');
    expect(r.report.entries.map((e) => e.outcome)).toEqual(['imported', 'skipped', 'imported']);
    expect(r.report.entries[1]!.reason).toMatch(/^GIFT syntax error near line 3/);
  });

  it('a question that maps to something the app refuses is skipped with the schema’s words', () => {
    const r = parseQuestionFile(
      'moodle_xml',
      `<quiz><question type="multichoice"><questiontext><text>${'x'.repeat(6000)}</text></questiontext><single>true</single>
       <answer fraction="100"><text>a</text></answer><answer fraction="0"><text>b</text></answer></question></quiz>`,
    );
    expect(r.questions).toEqual([]);
    expect(r.report.entries[0]!.reason).toBe('It does not fit here (prompt: Prompt must be at most 5000 characters)');
  });
});
