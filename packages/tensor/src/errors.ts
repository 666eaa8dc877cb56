/** Base class of every error @convlab/tensor throws on purpose; `code` is stable, `message` is for people. */
export class ConvLabError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type ImageErrorCode = 'not-an-image' | 'decode' | 'http' | 'not-found' | 'network' | 'unsupported-source' | 'bad-size';

/** An image could not be turned into a tensor. */
export class ImageLoadError extends ConvLabError {
  declare readonly code: ImageErrorCode;
  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export type ModelErrorCode =
  | 'network'
  | 'http'
  | 'not-found'
  | 'malformed'
  | 'weights-size'
  | 'input-shape'
  | 'unknown-id'
  | 'aborted';

/** A model could not be loaded or cannot be fed the way the caller needs. */
export class ModelLoadError extends ConvLabError {
  declare readonly code: ModelErrorCode;
  constructor(
    code: ModelErrorCode,
    message: string,
    readonly url?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The DOMException-compatible error an aborted operation rejects with. */
export function abortError(signal?: AbortSignal): Error {
  const reason = signal?.reason;
  if (reason instanceof Error) return reason;
  return new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * True when a response is an HTML page: static servers and single-page-app hosts answer a missing
 * file with their home page (200, text/html), so HTML where JSON, weights or an image was asked
 * means the file was not found.
 */
export function isHtmlResponse(res: Response): boolean {
  return /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(res.headers.get('content-type') ?? '');
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}
