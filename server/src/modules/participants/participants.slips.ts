// Printable access-code slips: an A4 PDF with eight slips a page and dashed cut lines.
// Each slip names the exam, when and where, the student, their code in large monospace
// (or, when the code was issued earlier and cannot be shown again, when that was), short
// instructions and a QR code that opens the start page with the email filled in. The code
// itself is never in the QR code or the URL: a photo of the QR alone starts nothing.
import QRCode from 'qrcode';
import fontkit from '@pdf-lib/fontkit';
import {
  fill,
  PDFDocument,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  rgb,
  setFillingRgbColor,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib';
import { CODE_SLIPS_PER_PAGE } from '@exam-hall/protocol';
import { fontsBytes, printable } from '../../lib/pdf-fonts.ts';

export interface Slip {
  name: string;
  email: string;
  /** The plain code, only right after it was (re)issued; null prints when it was issued instead. */
  code: string | null;
  codeIssuedAt: Date;
  codeStatus: 'unused' | 'used' | 'voided';
  codeUsedAt: Date | null;
}

export interface SlipsInput {
  examTitle: string;
  /** "Opens …, closes …" or "Available any time", with the duration. */
  when: string;
  /** The site's origin, e.g. https://exams.school.example (no trailing slash). */
  publicUrl: string;
  /** IANA time zone the dates are written in. */
  timeZone: string;
  slips: Slip[];
}

/** What the slip's QR code opens: the start page with the email filled in, never the code. */
export function slipStartUrl(publicUrl: string, email: string): string {
  return `${publicUrl}/start?email=${encodeURIComponent(email)}`;
}

/** A date as the slip prints it, in the teacher's time zone, with the zone named. */
export function slipDate(at: Date, timeZone: string, withZone = true): string {
  const text = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(at);
  return withZone ? `${text} (${timeZone})` : text;
}

/** What a slip prints instead of a code that was issued earlier and is stored only scrambled. */
export function issuedEarlierText(slip: Omit<Slip, 'code'>, timeZone: string): string {
  if (slip.codeStatus === 'used') {
    const when = slip.codeUsedAt ? ` on ${slipDate(slip.codeUsedAt, timeZone)}` : '';
    return `Your code was used${when}: you have started. To continue on another device, ask your proctor for a resume code.`;
  }
  if (slip.codeStatus === 'voided') return 'Your code was withdrawn; ask your teacher for a new one.';
  return `Code issued earlier on ${slipDate(slip.codeIssuedAt, timeZone)}; ask your teacher if you lost it.`;
}

const A4: [number, number] = [595.28, 841.89];
const COLUMNS = 2;
const ROWS = CODE_SLIPS_PER_PAGE / COLUMNS;
const PAD = 16;
const QR_SIZE = 78;
const ink = rgb(0.1, 0.12, 0.18);
const muted = rgb(0.35, 0.38, 0.45);

/**
 * The QR code's dark modules as rectangles, one per horizontal run, in module units from
 * the top left: vector (crisp at any zoom) and cheap (no image or path parsing per slip).
 */
export function qrRuns(url: string): { runs: [x: number, y: number, length: number][]; modules: number } {
  const qr = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const runs: [number, number, number][] = [];
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (!qr.modules.get(y, x)) continue;
      let end = x;
      while (end + 1 < n && qr.modules.get(y, end + 1)) end++;
      runs.push([x, y, end - x + 1]);
      x = end;
    }
  }
  return { runs, modules: n };
}

function drawQr(page: PDFPage, url: string, left: number, top: number, size: number) {
  const { runs, modules } = qrRuns(url);
  const m = size / modules;
  page.pushOperators(
    pushGraphicsState(),
    setFillingRgbColor(0, 0, 0),
    ...runs.map(([x, y, len]) => rectangle(left + x * m, top - (y + 1) * m, len * m, m)),
    fill(),
    popGraphicsState(),
  );
}

/** Words of `text` in lines no wider than `width` at `size`. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    const next = current ? `${current} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) <= width || !current) current = next;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current) lines.push(current);
  return lines;
}

/**
 * One line that must fit: shrunk down to `min` points, then cut with an ellipsis. Measuring
 * text shapes it (fontkit), the costly part of a slip, so the caller memoises repeated lines.
 */
function fit(text: string, font: PDFFont, size: number, width: number, min = 7): { text: string; size: number } {
  let s = size;
  while (font.widthOfTextAtSize(text, s) > width && s > min) s -= 0.5;
  let t = text;
  while (font.widthOfTextAtSize(t, s) > width && t.length > 1) t = `${t.slice(0, -2)}…`;
  return { text: t, size: s };
}

export async function codeSlipsPdf(input: SlipsInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(`Access codes: ${input.examTitle}`);
  doc.setSubject(`${input.slips.length} access-code slips`);
  // Read back by tests and by anyone checking a print run: how many slips the file holds.
  doc.setKeywords([`slips:${input.slips.length}`]);
  doc.setCreator('Exam Hall');
  const bytes = await fontsBytes('sans', 'sansBold', 'monoBold');
  const sans = await doc.embedFont(bytes.sans, { subset: true });
  const bold = await doc.embedFont(bytes.sansBold, { subset: true });
  const mono = await doc.embedFont(bytes.monoBold, { subset: true });
  const startUrl = `${input.publicUrl}/start`;
  const [slipW, slipH] = [A4[0] / COLUMNS, A4[1] / ROWS];

  // The exam's lines and the instructions are the same on every slip.
  const fitted = new Map<string, { text: string; size: number }>();
  const wrapped = new Map<string, string[]>();
  const textW = slipW - 2 * PAD - QR_SIZE - 14; // leaves the QR code its quiet zone
  const titleLines = wrap(printable(input.examTitle, bold), bold, 10.5, textW);
  if (titleLines.length > 2) titleLines.splice(1, Infinity, fit(titleLines.slice(1).join(' '), bold, 10.5, textW).text);
  const whenLines = wrap(printable(input.when, sans), sans, 7.5, textW).slice(0, 3);
  let page: PDFPage | undefined;
  for (const [i, slip] of input.slips.entries()) {
    const at = i % CODE_SLIPS_PER_PAGE;
    // Thousands of slips take seconds of CPU: let the process serve others in between.
    if (i % 40 === 39) await new Promise((r) => setImmediate(r));
    if (at === 0) {
      page = doc.addPage(A4);
      cutLines(page, slipW, slipH);
    }
    const p = page!;
    const left = (at % COLUMNS) * slipW + PAD;
    const top = A4[1] - Math.floor(at / COLUMNS) * slipH - PAD;
    const draw = (text: string, font: PDFFont, size: number, y: number, color = ink, width = textW) => {
      const key = `${size}|${width}|${font.name}|${text}`;
      let f = fitted.get(key);
      if (!f) fitted.set(key, (f = fit(printable(text, font), font, size, width)));
      p.drawText(f.text, { x: left, y, size: f.size, font, color });
    };

    let y = top - 10;
    for (const l of titleLines) {
      draw(l, bold, 10.5, y);
      y -= 12.5;
    }
    y -= 0.5;
    for (const l of whenLines) {
      p.drawText(l, { x: left, y, size: 7.5, font: sans, color: muted });
      y -= 9.5;
    }
    draw(`Where: ${startUrl}`, sans, 7.5, y, muted);
    y = Math.min(y - 17, top - QR_SIZE - 12);
    draw(slip.name, bold, 12, y);
    draw(slip.email, sans, 9, y - 13, muted);

    drawQr(p, slipStartUrl(input.publicUrl, slip.email), left + slipW - 2 * PAD - QR_SIZE, top, QR_SIZE);

    const codeTop = y - 33;
    if (slip.code) {
      p.drawText('Access code', { x: left, y: codeTop, size: 8, font: sans, color: muted });
      const f = fit(slip.code, mono, 22, slipW - 2 * PAD, 12);
      p.drawText(f.text, { x: left, y: codeTop - 24, size: f.size, font: mono, color: ink });
    } else {
      let cy = codeTop - 2;
      const note = issuedEarlierText(slip, input.timeZone);
      let lines = wrapped.get(note);
      if (!lines) wrapped.set(note, (lines = wrap(printable(note, bold), bold, 9, slipW - 2 * PAD)));
      for (const l of lines) {
        p.drawText(l, { x: left, y: cy, size: 9, font: bold, color: ink });
        cy -= 12;
      }
    }

    const steps = [
      `1. Go to ${startUrl} (or scan the QR code).`,
      '2. Enter your email address and the access code.',
      '3. The code works once and is yours alone: do not share it.',
    ];
    let sy = top - slipH + 2 * PAD + 16;
    for (const s of steps) {
      draw(s, sans, 7, sy, muted, slipW - 2 * PAD);
      sy -= 9;
    }
  }
  if (!page) {
    const empty = doc.addPage(A4);
    empty.drawText('No participants yet: add participants to print their slips.', {
      x: 60,
      y: A4[1] - 80,
      size: 12,
      font: sans,
      color: ink,
    });
  }
  return doc.save({ objectsPerTick: 200 });
}

function cutLines(page: PDFPage, slipW: number, slipH: number) {
  const dashed = { thickness: 0.5, color: rgb(0.6, 0.62, 0.66), dashArray: [4, 3] };
  for (let c = 1; c < COLUMNS; c++) {
    page.drawLine({ start: { x: c * slipW, y: 0 }, end: { x: c * slipW, y: A4[1] }, ...dashed });
  }
  for (let r = 1; r < ROWS; r++) {
    page.drawLine({ start: { x: 0, y: r * slipH }, end: { x: A4[0], y: r * slipH }, ...dashed });
  }
}
