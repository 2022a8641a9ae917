// Progress of a bench on stderr: one live line rewritten in place on a terminal, a plain line
// every `plainEveryS` seconds otherwise (logs, CI), and plain lines that end the live one.

export interface Progress {
  /** A line of its own (ends the live line first). */
  line(text: string): void;
  /** The live line of second `second` of a phase. */
  live(text: string, second: number): void;
  /** Ends the live line, if one is showing (before the process exits). */
  end(): void;
}

export function createProgress(plainEveryS: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let liveLine = false;
  const line = (text: string) => {
    if (liveLine) stream.write('\r\x1b[2K');
    liveLine = false;
    stream.write(`${text}\n`);
  };
  return {
    line,
    live(text, second) {
      if (tty) {
        stream.write(`\r\x1b[2K${text.slice(0, (stream.columns ?? 200) - 1)}`);
        liveLine = true;
      } else if (second % plainEveryS === 0) {
        stream.write(`${text}\n`);
      }
    },
    end() {
      if (liveLine) line('');
    },
  };
}

/** A whole number with thousands separators, as the benches print them. */
export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
