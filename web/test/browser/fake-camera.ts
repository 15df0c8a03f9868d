// Fake webcams for the camera tests: Y4M files built from photographs that Debian packages
// ship under licences that allow it (scripts/bootstrap/faces.mjs fetches them into
// .tools/faces), fed to Chromium with --use-file-for-fake-video-capture. A Y4M of one frame
// loops, so each file is one steady scene.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { launchBrowser } from './chromium.ts';

const FACES = fileURLToPath(new URL('../../../.tools/faces/', import.meta.url));
const W = 640;
const H = 480;

/**
 * one: one face (astronaut); none: a cup of coffee; two: two people side by side
 * (astronaut and Grace Hopper); tilted: the astronaut's head turned 45 degrees (roll: no
 * freely licensed photo of a sideways-turned face that the front-face detector still finds
 * was found); other: someone else (Grace Hopper).
 */
export const cameraScenes = ['one', 'none', 'two', 'tilted', 'other'] as const;
export type CameraScene = (typeof cameraScenes)[number];

type Image = { w: number; h: number; rgba: Uint8Array };
type Part = { file: string; x: number; y: number; w: number; h: number };

function load(file: string): Image {
  const buf = readFileSync(join(FACES, file));
  if (file.endsWith('.png')) {
    const png = PNG.sync.read(buf);
    return { w: png.width, h: png.height, rgba: png.data };
  }
  const j = jpeg.decode(buf, { useTArray: true });
  return { w: j.width, h: j.height, rgba: j.data };
}

/** Each part scaled (nearest neighbour) into its rectangle of a grey W x H canvas, as RGB. */
function compose(parts: Part[]): Uint8Array {
  const out = new Uint8Array(W * H * 3).fill(128);
  for (const p of parts) {
    const im = load(p.file);
    for (let y = 0; y < p.h && p.y + y < H; y++)
      for (let x = 0; x < p.w && p.x + x < W; x++) {
        const si = (Math.floor((y * im.h) / p.h) * im.w + Math.floor((x * im.w) / p.w)) * 4;
        const di = ((p.y + y) * W + p.x + x) * 3;
        out[di] = im.rgba[si]!;
        out[di + 1] = im.rgba[si + 1]!;
        out[di + 2] = im.rgba[si + 2]!;
      }
  }
  return out;
}

/** The whole frame turned by `deg` around (cx, cy). */
function rotate(rgb: Uint8Array, deg: number, cx: number, cy: number): Uint8Array {
  const out = new Uint8Array(W * H * 3).fill(128);
  const t = (deg * Math.PI) / 180;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const sx = Math.round(cx + (x - cx) * Math.cos(t) - (y - cy) * Math.sin(t));
      const sy = Math.round(cy + (x - cx) * Math.sin(t) + (y - cy) * Math.cos(t));
      if (sx < 0 || sx >= W || sy < 0 || sy >= H) continue;
      out.set(rgb.subarray((sy * W + sx) * 3, (sy * W + sx) * 3 + 3), (y * W + x) * 3);
    }
  return out;
}

/** RGB to Y4M (4:2:0, BT.601 full range), one frame. */
function y4m(rgb: Uint8Array): Buffer {
  const Y = Buffer.alloc(W * H);
  const U = Buffer.alloc((W / 2) * (H / 2));
  const V = Buffer.alloc((W / 2) * (H / 2));
  for (let i = 0; i < W * H; i++)
    Y[i] = Math.round(0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!);
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let y = 0; y < H / 2; y++)
    for (let x = 0; x < W / 2; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = ((2 * y + dy) * W + 2 * x + dx) * 3;
        r += rgb[i]! / 4;
        g += rgb[i + 1]! / 4;
        b += rgb[i + 2]! / 4;
      }
      U[y * (W / 2) + x] = clamp(-0.169 * r - 0.331 * g + 0.5 * b + 128);
      V[y * (W / 2) + x] = clamp(0.5 * r - 0.419 * g - 0.081 * b + 128);
    }
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\nFRAME\n`), Y, U, V]);
}

const astronaut: Part = { file: 'astronaut.png', x: 80, y: 0, w: 480, h: 480 };
const SCENES: Record<CameraScene, () => Uint8Array> = {
  one: () => compose([astronaut]),
  none: () => compose([{ file: 'coffee.png', x: 0, y: 0, w: W, h: H }]),
  two: () =>
    compose([
      { file: 'astronaut.png', x: 0, y: 80, w: 320, h: 320 },
      { file: 'grace_hopper.jpg', x: 320, y: 40, w: 320, h: 400 },
    ]),
  // The astronaut's face centre is near (290, 115) in this frame.
  tilted: () => rotate(compose([astronaut]), 45, 290, 115),
  other: () => compose([{ file: 'grace_hopper.jpg', x: 120, y: 0, w: 400, h: 480 }]),
};

/** Path of the scene's Y4M file, built once per machine into the temp folder. */
export function fakeCameraFile(scene: CameraScene): string {
  const dir = join(tmpdir(), 'exam-hall-fake-camera');
  const file = join(dir, `${scene}.y4m`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, y4m(SCENES[scene]()));
    // rename is atomic: parallel test files never read half a file.
    renameSync(tmp, file);
  }
  return file;
}

/** Chromium whose camera shows the scene; permission prompts are answered yes unless `deny`. */
export function launchWithCamera(scene: CameraScene, opts: { deny?: boolean } = {}) {
  return launchBrowser([
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${fakeCameraFile(scene)}`,
    ...(opts.deny ? ['--deny-permission-prompts'] : ['--use-fake-ui-for-media-stream']),
  ]);
}
