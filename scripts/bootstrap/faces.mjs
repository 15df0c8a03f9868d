import { existsSync, mkdirSync, readdirSync, copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, log, run, which } from './util.mjs';

// Photographs for the camera tests' fake webcam, taken from Debian packages whose
// licences allow it (both public domain): scikit-image's sample data (astronaut: Eileen
// Collins, NASA; camera: the cameraman; coffee: no face) and matplotlib's (Grace Hopper,
// US Navy). Only the .deb files are fetched and unpacked into .tools/faces; nothing is
// installed, so no Python comes with them.
const SOURCES = [
  {
    pkg: 'python3-skimage',
    dir: 'usr/lib/python3/dist-packages/skimage/data',
    files: ['astronaut.png', 'camera.png', 'coffee.png'],
  },
  { pkg: 'python-matplotlib-data', dir: 'usr/share/matplotlib/mpl-data/sample_data', files: ['grace_hopper.jpg'] },
];

export function facesDir(root) {
  return join(root, '.tools', 'faces');
}

export async function ensureFaces(root) {
  const out = facesDir(root);
  const all = SOURCES.flatMap((s) => s.files);
  if (all.every((f) => existsSync(join(out, f)))) return out;
  if (!which('apt-get') || !which('dpkg-deb'))
    throw new Error('camera tests need apt-get and dpkg-deb to fetch face photographs');
  const work = join(out, 'deb');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const download = () => run('apt-get', ['download', ...SOURCES.map((s) => s.pkg)], { cwd: work, allowFail: true });
  log(
    'fetching face photographs for the camera tests (python3-skimage, python-matplotlib-data .debs); this happens once',
  );
  let res = download();
  if (res.status !== 0) {
    // A brand-new machine may have no package lists yet.
    const prefix = isRoot() ? [] : which('sudo') ? ['sudo'] : null;
    if (!prefix) throw new Error(`apt-get download failed and apt-get update needs root:\n${res.stderr}`);
    run(prefix[0] ?? 'apt-get', prefix.length ? ['apt-get', 'update', '-q'] : ['update', '-q'], { stdio: [0, 2, 2] });
    res = download();
    if (res.status !== 0)
      throw new Error(`apt-get download ${SOURCES.map((s) => s.pkg).join(' ')} failed:\n${res.stderr}`);
  }
  for (const s of SOURCES) {
    const deb = readdirSync(work).find((f) => f.startsWith(`${s.pkg}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download left no ${s.pkg} .deb`);
    const x = join(work, s.pkg);
    run('dpkg-deb', ['-x', join(work, deb), x]);
    for (const f of s.files) copyFileSync(join(x, s.dir, f), join(out, f));
  }
  rmSync(work, { recursive: true, force: true });
  return out;
}
