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

export type ImageErrorCode = 'not-an-image' | 'decode' | 'http' | 'network' | 'unsupported-source' | 'bad-size';

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

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}
