// Images travel inside the file: Moodle's <file encoding="base64"> elements become data: URIs
// in the prompt, and back again on export.
const MIME_BY_EXT: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
};
const EXT_BY_MIME: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
};

export interface EmbeddedFile {
  name: string;
  base64: string;
}

const PLUGINFILE = /@@PLUGINFILE@@\/([^"'\s<>)]+)/g;

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Replaces every @@PLUGINFILE@@/name with a data: URI of the file of that name. Answers the
 * first problem (a missing file, a file that is not an image) instead, to skip the question.
 */
export function inlineFiles(html: string, files: EmbeddedFile[]): { html: string } | { problem: string } {
  const byName = new Map(files.map((f) => [f.name, f]));
  let problem: string | null = null;
  const out = html.replace(PLUGINFILE, (whole, raw: string) => {
    const name = safeDecode(raw).replace(/^\/+/, '');
    const file = byName.get(name) ?? byName.get(name.split('/').pop()!);
    if (!file) {
      problem ??= `The image file '${name}' is referenced but missing from the file`;
      return whole;
    }
    const mime = MIME_BY_EXT[name.split('.').pop()!.toLowerCase()];
    if (!mime) {
      problem ??= `The file '${name}' is not an image this app can show (png, jpg, gif, webp, svg)`;
      return whole;
    }
    return `data:${mime};base64,${file.base64.replace(/\s+/g, '')}`;
  });
  return problem ? { problem } : { html: out };
}

const DATA_URI = /data:(image\/[a-z0-9+.-]+);base64,([A-Za-z0-9+/=]+)/g;

/** The reverse: data: URIs become @@PLUGINFILE@@/image-N.ext plus the files to attach. */
export function extractFiles(html: string, start = 1): { html: string; files: EmbeddedFile[] } {
  const files: EmbeddedFile[] = [];
  const out = html.replace(DATA_URI, (whole, mime: string, base64: string) => {
    const ext = EXT_BY_MIME[mime];
    if (!ext) return whole;
    const name = `image-${start + files.length}.${ext}`;
    files.push({ name, base64 });
    return `@@PLUGINFILE@@/${name}`;
  });
  return { html: out, files };
}
