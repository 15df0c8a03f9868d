import {
  errorFromBody,
  mayRefresh,
  messageOf,
  networkError,
  refreshAfter401,
  ApiRequestError,
  type Parser,
} from './api.ts';

export type UploadPhase = { phase: 'sending'; loaded: number; total: number } | { phase: 'processing' };

/**
 * POSTs a body with XMLHttpRequest, because fetch reports no upload progress.
 * Calls `onProgress` while the bytes go out, then once with `processing` while
 * the server works. Same error and session-refresh behaviour as `api()`.
 */
export async function uploadWithProgress<T>(
  path: string,
  body: string,
  contentType: string,
  schema: Parser<T>,
  onProgress: (p: UploadPhase) => void,
): Promise<T> {
  let result = await once(path, body, contentType, onProgress);
  if (result.status === 401 && mayRefresh(path) && (await refreshAfter401())) {
    result = await once(path, body, contentType, onProgress);
  }
  let data: unknown;
  try {
    data = result.text ? JSON.parse(result.text) : undefined;
  } catch {
    data = undefined;
  }
  if (result.status < 200 || result.status >= 300) {
    throw errorFromBody(result.status, result.statusText, data, result.retryAfter);
  }
  try {
    return schema.parse(data);
  } catch {
    throw new ApiRequestError({
      status: result.status,
      code: 'invalid_response',
      message: 'The server sent an answer this page does not understand. Try reloading.',
    });
  }
}

type Raw = { status: number; statusText: string; text: string; retryAfter: string | null };

function once(path: string, body: string, contentType: string, onProgress: (p: UploadPhase) => void): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', contentType);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      const total = e.lengthComputable ? e.total : body.length;
      onProgress({ phase: 'sending', loaded: e.loaded, total });
    };
    // Every byte is out; what remains is the server's work, of unknown length.
    xhr.upload.onload = () => onProgress({ phase: 'processing' });
    xhr.onload = () =>
      resolve({
        status: xhr.status,
        statusText: xhr.statusText,
        text: xhr.responseText,
        retryAfter: xhr.getResponseHeader('retry-after'),
      });
    xhr.onerror = () => reject(networkError());
    xhr.ontimeout = () => reject(networkError());
    onProgress({ phase: 'sending', loaded: 0, total: body.length });
    xhr.send(body);
  });
}

const sizeOf = (bytes: number, unit: 'MB' | 'kB') =>
  unit === 'MB' ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} kB`;

/**
 * The CSV import forms' step (participants, accounts, rosters): checks the chosen file,
 * uploads it with progress and answers the server's result, or the problem to show with the
 * file input focused again. `onStart` runs once the file is accepted, before the upload.
 */
export async function importCsvFile<T>(opts: {
  input: HTMLInputElement | undefined;
  path: string;
  schema: Parser<T>;
  maxBytes: number;
  onStart: (fileName: string) => void;
  onProgress: (p: UploadPhase | null) => void;
}): Promise<{ ok: true; result: T } | { ok: false; problem: string }> {
  const { input } = opts;
  const refused = (problem: string) => {
    input?.focus();
    return { ok: false as const, problem };
  };
  const file = input?.files?.[0];
  if (!file) return refused('Choose a CSV file first.');
  if (file.size > opts.maxBytes) {
    const unit = opts.maxBytes >= 1024 * 1024 ? 'MB' : 'kB';
    const max = unit === 'MB' ? `${opts.maxBytes / 1024 / 1024} MB` : `${opts.maxBytes / 1024} kB`;
    return refused(
      `${file.name} is ${sizeOf(file.size, unit)}; at most ${max} can be imported at once. Split it into smaller files.`,
    );
  }
  opts.onStart(file.name);
  try {
    const text = await file.text();
    opts.onProgress({ phase: 'sending', loaded: 0, total: text.length });
    const result = await uploadWithProgress(opts.path, text, 'text/csv; charset=utf-8', opts.schema, opts.onProgress);
    opts.onProgress(null);
    if (input) input.value = '';
    return { ok: true, result };
  } catch (err) {
    opts.onProgress(null);
    return refused(
      err instanceof ApiRequestError && err.code === 'payload_too_large'
        ? `${file.name} is too large to import at once. Split it into smaller files.`
        : messageOf(err, 'The file could not be imported.'),
    );
  }
}
