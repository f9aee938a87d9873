// The message a run records when it fails: an activity failure's cause says what went wrong
// (the activity failure itself only says "Activity task failed").
export function failureMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  return error.cause instanceof Error ? error.cause.message : error.message
}
