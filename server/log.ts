import pino from 'pino';

/** Structured JSON logs. Contact details and secrets are redacted wherever they appear. */
export function createLogger(level: pino.LevelWithSilent = 'info') {
  return pino({
    level,
    redact: {
      paths: [
        '*.reporter_phone', '*.reporter_email', '*.phone', '*.email', '*.password', '*.token',
        'req.headers.cookie', 'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}

export type Logger = ReturnType<typeof createLogger>;
