// The rich-text subset of question texts and essays, and sanitising on save.
import { describe, expect, it } from 'vitest';
import { questionInputSchema } from '@exam-hall/protocol';
import { isBlankHtml, MAX_DATA_IMAGE_CHARS, sanitizeRichText } from '../../src/lib/html.ts';
import { questionProblems, sanitizeQuestionInput } from '../../src/modules/questions/types/index.ts';

const png =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('sanitizeRichText', () => {
  it('removes scripts, event handlers and javascript: URLs', () => {
    expect(sanitizeRichText('<p>Hi<script>alert(1)</script></p>')).toBe('<p>Hi</p>');
    expect(sanitizeRichText('<img src="https://x.test/a.png" onerror="alert(1)" alt="a">')).toBe(
      '<img src="https://x.test/a.png" alt="a" />',
    );
    expect(sanitizeRichText('<img src="javascript:alert(1)">')).toBe('');
    expect(sanitizeRichText('<a href="javascript:alert(1)">click</a>')).toBe('click');
    expect(sanitizeRichText('<p style="background:url(x)" class="evil">x</p>')).toBe('<p>x</p>');
    expect(sanitizeRichText('<iframe src="https://x.test"></iframe><svg onload="x()"></svg>ok')).toBe('ok');
    expect(sanitizeRichText('<span class="math evil" onclick="x">$x$</span>')).toBe('<span class="math">$x$</span>');
  });

  it('keeps the allowed subset and KaTeX delimiters as text', () => {
    const html =
      '<p><strong>Bold</strong> <em>it</em> <u>u</u> H<sub>2</sub>O x<sup>2</sup> <code>c</code></p><ul><li>a</li></ul><ol><li>b</li></ol><pre>p</pre><br />';
    expect(sanitizeRichText(html)).toBe(html);
    const math = 'Solve $x^2 = 4$, $$\\int_0^1 x\\,dx$$, \\(a<b\\) and \\[e^{i\\pi}+1=0\\]';
    expect(sanitizeRichText(math)).toBe(math.replace('<', '&lt;'));
  });

  it('allows https and small data: images of the four raster types only', () => {
    expect(sanitizeRichText(`<img src="${png}" alt="dot" width="10" height="12">`)).toBe(
      `<img src="${png}" alt="dot" width="10" height="12" />`,
    );
    expect(sanitizeRichText('<img src="http://x.test/a.png">')).toBe('');
    expect(sanitizeRichText('<img src="data:image/svg+xml;base64,PHN2Zz4=">')).toBe('');
    expect(sanitizeRichText('<img src="data:text/html;base64,PHN2Zz4=">')).toBe('');
    expect(sanitizeRichText('<img src="//x.test/a.png">')).toBe('');
    expect(sanitizeRichText('<img src="https://x.test/a.png" width="100%">')).toBe(
      '<img src="https://x.test/a.png" />',
    );
    const big = `data:image/png;base64,${'A'.repeat(MAX_DATA_IMAGE_CHARS)}`;
    expect(sanitizeRichText(`<img src="${big}">`)).toBe('');
  });

  it('escapes plain text and is idempotent', () => {
    expect(sanitizeRichText('3 < 5 & 7 > 2')).toBe('3 &lt; 5 &amp; 7 &gt; 2');
    // A '<' that opens no HTML element is text, not a tag to drop.
    expect(sanitizeRichText('if x<y and a<b')).toBe('if x&lt;y and a&lt;b');
    expect(sanitizeRichText('<scr<script>alert(1)</script>ipt>')).toBe('&lt;script&gt;');
    for (const s of ['3 < 5 & 7 > 2', '<p onclick=x>a</p>', `<img src="${png}">`, 'Fill [[a]] "q"']) {
      const once = sanitizeRichText(s);
      expect(sanitizeRichText(once)).toBe(once);
    }
  });

  it('knows when nothing visible is left', () => {
    expect(isBlankHtml('<p> </p><br />')).toBe(true);
    expect(isBlankHtml('&nbsp;')).toBe(true);
    expect(isBlankHtml(`<img src="${png}" />`)).toBe(false);
    expect(isBlankHtml('<p>x</p>')).toBe(false);
  });
});

describe('inline images in prompts', () => {
  it('do not count towards the 5000 characters of a prompt or explanation', () => {
    const image = `<img src="data:image/png;base64,${'A'.repeat(200_000)}" alt="graph" />`;
    const q = { type: 'essay', prompt: `${'x'.repeat(4900)}${image}`, explanation: image };
    expect(questionInputSchema.safeParse(q).success).toBe(true);
    const long = questionInputSchema.safeParse({ ...q, prompt: `${'x'.repeat(5001)}${image}` });
    expect(long.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['prompt', 'Prompt must be at most 5000 characters'],
    ]);
    const tooMany = questionInputSchema.safeParse({ ...q, prompt: image.repeat(4) });
    expect(tooMany.error?.issues[0]?.message).toMatch(/inline images may add at most/);
    // The sanitiser keeps an image of this size.
    expect(sanitizeRichText(image)).toBe(image);
  });
});

describe('sanitizeQuestionInput', () => {
  it('cleans prompt, explanation and every option, stem, choice, item and drop-down text', () => {
    const dirty = '<b onclick="x">B</b><script>x</script>';
    const m = sanitizeQuestionInput(
      questionInputSchema.parse({
        type: 'matching',
        prompt: `<p>${dirty}</p>`,
        explanation: dirty,
        content: {
          stems: [
            { id: 's1', text: dirty },
            { id: 's2', text: 'two' },
          ],
          choices: [
            { id: 'c1', text: dirty },
            { id: 'c2', text: 'two' },
          ],
        },
        answerKey: {
          pairs: [
            { stemId: 's1', choiceId: 'c1' },
            { stemId: 's2', choiceId: 'c2' },
          ],
        },
      }),
    );
    expect(JSON.stringify(m)).not.toMatch(/script|onclick|<b>/);
    expect(m.prompt).toBe('<p>B</p>');
    expect(m.explanation).toBe('B');
    const f = sanitizeQuestionInput(
      questionInputSchema.parse({
        type: 'fill_blanks',
        prompt: 'Pick [[g]] <img src=x onerror=alert(1)>',
        content: {
          gaps: [
            {
              id: 'g',
              options: [
                { id: 'a', text: dirty },
                { id: 'b', text: 'b' },
              ],
            },
          ],
        },
        answerKey: { gaps: [{ gapId: 'g', accepted: ['a'] }] },
      }),
    );
    expect(f.prompt).toBe('Pick [[g]] ');
    expect(f.type === 'fill_blanks' && f.content.gaps[0]!.options![0]!.text).toBe('B');
    // Typed accepted answers are plain text, compared as typed: left alone.
    const s = sanitizeQuestionInput(
      questionInputSchema.parse({ type: 'short_answer', prompt: 'Q', answerKey: { accepted: ['a < b'] } }),
    );
    expect(s.answerKey).toMatchObject({ accepted: ['a < b'] });
  });

  it('refuses on save a required text that sanitising leaves empty, naming the field', () => {
    const q = questionInputSchema.parse({
      type: 'single_choice',
      prompt: '<script>alert(1)</script>',
      content: {
        options: [
          { id: 'a', text: 'A' },
          { id: 'b', text: '<iframe src="https://x.test"></iframe>' },
        ],
      },
      answerKey: { correct: 'a' },
    });
    expect(questionProblems(q).map((p) => p.path)).toEqual([['prompt'], ['content', 'options', 1, 'text']]);
  });
});
