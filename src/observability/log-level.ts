// The log levels every command accepts (--log-level, or DOCTOR_LOG_LEVEL when the flag is absent).
export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

/** The flag wins over the environment; anything else than the four levels is refused, naming its source. */
export function resolveLogLevel(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): LogLevel {
  const [source, raw] =
    flag !== undefined ? ['--log-level', flag] : ['DOCTOR_LOG_LEVEL', env.DOCTOR_LOG_LEVEL];
  if (raw === undefined || raw === '') return 'info';
  if ((logLevels as readonly string[]).includes(raw)) return raw as LogLevel;
  throw new Error(`${source} must be one of ${logLevels.join(', ')}, got '${raw}'`);
}
