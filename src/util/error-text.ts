// The one way an unknown thrown value becomes text for logs, Events and status.
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
