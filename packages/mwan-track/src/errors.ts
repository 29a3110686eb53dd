/** Errors of mwan-track, each with a stable `code` (tests assert on codes, never on text). */

export class TrackError extends Error {
  override name = 'TrackError';
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A bad `--settings` value or ubus argument; `field` names it (`settings.timeout`). */
export class SettingsError extends TrackError {
  override name = 'SettingsError';
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('ERR_TRACK_SETTINGS', `${field}: ${message}`, options);
    this.field = field;
  }
}

/** A track method this build cannot do; raised at start, before any probing. */
export class NotImplementedError extends TrackError {
  override name = 'NotImplementedError';
  constructor(what: string) {
    super('ERR_TRACK_NOT_IMPLEMENTED', `${what}: not implemented`);
  }
}

/** A probe socket could not be opened or configured (permissions, unknown device). */
export class ProbeSetupError extends TrackError {
  override name = 'ProbeSetupError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TRACK_PROBE_SETUP', message, options);
  }
}
