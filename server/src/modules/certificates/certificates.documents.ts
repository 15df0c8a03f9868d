// The QR code of a verification URL (SVG and PNG) and the printable PDF certificate.
import QRCode from 'qrcode';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';
import type { CertificateMetadata } from '@exam-hall/protocol';
import { fontsBytes, printable } from '../../lib/pdf-fonts.ts';

export { printable };
/** The certificate's font files, read once per process (server/src/lib/pdf-fonts.ts). */
export const loadFonts = () => fontsBytes('serif', 'serifBold', 'sans');

export const qrSvg = (url: string) => QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
export const qrPng = (url: string, width = 512) =>
  QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width });

export interface PdfInput {
  metadata: CertificateMetadata;
  verifyUrl: string;
  anchor: { chainId: number; contract: string; tokenId: string } | null;
}

export async function certificatePdf({ metadata: m, verifyUrl, anchor }: PdfInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle(`Certificate: ${m.exam.title}`);
  doc.setSubject(`Certificate ${m.certificateId}`);
  doc.setCreator('Exam Hall');
  const page = doc.addPage([841.89, 595.28]); // A4 landscape, points
  const { width, height } = page.getSize();
  const bytes = await loadFonts();
  const serif = await doc.embedFont(bytes.serif, { subset: true });
  const serifBold = await doc.embedFont(bytes.serifBold, { subset: true });
  const sans = await doc.embedFont(bytes.sans, { subset: true });
  const ink = rgb(0.12, 0.16, 0.24);
  const muted = rgb(0.35, 0.38, 0.45);
  page.drawRectangle({ x: 24, y: 24, width: width - 48, height: height - 48, borderColor: ink, borderWidth: 2 });
  page.drawRectangle({ x: 32, y: 32, width: width - 64, height: height - 64, borderColor: muted, borderWidth: 0.5 });

  const center = (text: string, y: number, size: number, font = serif, color = ink) => {
    const safe = printable(text, font);
    let s = size;
    while (font.widthOfTextAtSize(safe, s) > width - 260 && s > 8) s -= 1;
    page.drawText(safe, { x: (width - 200 - font.widthOfTextAtSize(safe, s)) / 2 + 20, y, size: s, font, color });
  };
  center(m.institution.name, height - 110, 20, serifBold);
  center('Certificate of Achievement', height - 165, 34, serifBold);
  center('This certifies that', height - 215, 14, serif, muted);
  center(m.recipient.name, height - 260, 30, serifBold);
  center('has passed', height - 295, 14, serif, muted);
  center(m.exam.title, height - 330, 22, serifBold);
  if (m.course) center(m.course.name, height - 358, 14, serif, muted);
  center(
    `with ${m.result.percentage}% (${m.result.score} of ${m.result.maxScore} points; pass mark ${m.result.passingScore}%)`,
    height - 395,
    14,
  );
  center(`Issued ${m.issuedAt.slice(0, 10)}`, height - 425, 12, serif, muted);

  const png = await doc.embedPng(await qrPng(`${verifyUrl}?via=qr`, 360));
  const qrSize = 150;
  page.drawImage(png, { x: width - qrSize - 60, y: 110, width: qrSize, height: qrSize });
  page.drawText('Scan to verify', { x: width - qrSize - 60 + 36, y: 96, size: 10, font: sans, color: muted });

  const small = (text: string, y: number) =>
    page.drawText(printable(text, sans), { x: 60, y, size: 8.5, font: sans, color: muted });
  small(`Verify: ${verifyUrl}`, 120);
  small(`Certificate id: ${m.certificateId}`, 106);
  if (anchor) {
    small(`On chain ${anchor.chainId}, contract ${anchor.contract}`, 92);
    small(`Token ${anchor.tokenId}`, 78);
  } else {
    small('Not yet written to the chain: verification will show its status.', 92);
  }
  return doc.save();
}
