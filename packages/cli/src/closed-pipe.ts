/**
 * `parapet audit --json | head -1`: the reader exits early, and the next write fails with
 * EPIPE, an 'error' event no one listens for, so Node printed a stack trace and exited 1
 * (which CI reads as "findings"). Output nobody reads any more is dropped instead: the
 * command finishes and exits with its own code. Other stream errors still surface.
 */
export function ignoreClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}
