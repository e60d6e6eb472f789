// Settings from the environment, with defaults for local runs.
export function loadConfig(env = process.env) {
  const port = Number.parseInt(env.PORT ?? '8080', 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid PORT: ${env.PORT}`);
  }
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    maxNoteBytes: Number.parseInt(env.MAX_NOTE_BYTES ?? '4096', 10),
    maxNotes: Number.parseInt(env.MAX_NOTES ?? '1000', 10),
  };
}
