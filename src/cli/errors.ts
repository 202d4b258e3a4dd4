/** Errors a user can fix: printed as one line, never with a stack, with the command's exit code. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
  }
}
