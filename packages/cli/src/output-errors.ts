/**
 * What to do when the output cannot be written. Node's default, an 'error' event no one listens
 * for, printed a stack trace and exited 1, and CI reads exit 1 as "findings".
 *
 * - EPIPE: `parapet audit --json | head -1`, the reader left early. Output nobody reads any more is
 *   dropped: the command finishes and exits with its own code.
 * - Anything else (ENOSPC: `--sarif > audit.sarif` on a full disk): the output is lost, so the run
 *   failed; one line on stderr and exit 2, as for any run that could not do its job.
 */
export function handleOutputErrors(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") return;
    if (stream !== process.stderr) {
      const next = error.code === "ENOSPC" ? "Free some space where it goes" : "Check where it goes (the file, the pipe)";
      process.stderr.write(`parapet: cannot write the output (${error.message.replace(/, write$/, "")}). ${next}, then run again.\n`);
    }
    process.exit(2);
  });
}
