// Structured JSON logs (one line per decision). Components take a child logger with their name so
// every line says who wrote it; secrets never go into log metadata.
import winston from 'winston';

export type Logger = winston.Logger;

export function createLogger(component: string, level = process.env.DOCTOR_LOG_LEVEL ?? 'info'): Logger {
  return winston.createLogger({
    level,
    defaultMeta: { component },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn'] })],
  });
}

/** A logger that writes nothing: for work whose lines would only mislead a reader (a rehearsal). */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true });
}
