// One small evidence frame from the camera: a JPEG whose long side is at most
// EVIDENCE_MAX_SIDE pixels, under EVIDENCE_MAX_BYTES (lower quality until it fits).
import { EVIDENCE_MAX_BYTES, EVIDENCE_MAX_SIDE } from '@exam-hall/protocol';

const QUALITIES = [0.7, 0.55, 0.4, 0.25];

export async function captureFrame(video: HTMLVideoElement): Promise<Blob> {
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (!w || !h) throw new Error('The camera has no picture yet.');
  const scale = Math.min(1, EVIDENCE_MAX_SIDE / Math.max(w, h));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(w * scale));
  canvas.height = Math.max(1, Math.round(h * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw the camera picture.');
  ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
  for (const q of QUALITIES) {
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', q));
    if (blob && blob.size < EVIDENCE_MAX_BYTES) return blob;
  }
  throw new Error('The camera picture could not be made small enough.');
}
